export default { covers: ['ECHO-1'], steps: [{ connect: 'c' }, { '\u001b]0;title\u0007\u001b[2J': 1 }] };
