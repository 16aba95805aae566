setInterval(() => {}, 1000);
export default { covers: ['ECHO-1'], steps: [{ connect: 'c' }] };
