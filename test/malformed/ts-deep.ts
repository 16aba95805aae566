let v: unknown = { connect: 'c' };
for (let i = 0; i < 3000; i++) v = { repeat: { times: 1, steps: [v] } };
export default { covers: ['ECHO-1'], steps: [v] };
