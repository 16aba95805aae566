const n: number = ;
export default {};
