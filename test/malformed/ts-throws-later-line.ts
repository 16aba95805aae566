const covers = ['ECHO-1'];
function boom(): never {
  throw new TypeError('no config here');
}
boom();
export default { covers, steps: [] };
