throw new Error('thrown at import');
export default {};
