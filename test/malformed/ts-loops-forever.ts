for (;;) {
  // spins
}
export default {};
