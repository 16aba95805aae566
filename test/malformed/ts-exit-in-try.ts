try {
  process.exit(0);
} catch {}
export default { covers: ['ECHO-1'], steps: [{ connect: 'c' }] };
