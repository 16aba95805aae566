setTimeout(() => {
  throw new Error('thrown from a timer');
}, 5);
export default { covers: ['ECHO-1'], steps: [{ connect: 'c' }] };
