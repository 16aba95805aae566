const steps: unknown[] = [{ connect: 'c' }];
steps.push({ repeat: { times: 1, steps } });
export default { covers: ['ECHO-1'], steps };
