void Promise.reject(new Error('nobody catches this'));
export default { covers: ['ECHO-1'], steps: [{ connect: 'c' }] };
