// As an ES module (.mts), a top-level await that never settles once ended the process with exit 0.
await new Promise(() => {});
export default { covers: ['ECHO-1'], steps: [{ connect: 'c' }] };
