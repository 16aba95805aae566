export default { covers: ['ECHO-1'], steps: [{ connect: 'c' }, { send: { text: 'a' } }] };
