await new Promise((r) => setTimeout(r, 60_000));
export default {};
