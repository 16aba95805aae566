const covers = ['ECHO-1'];
export default { covers, steps: [ { connect: 'c' } };
