process.kill(process.pid, 'SIGKILL');
export default {};
