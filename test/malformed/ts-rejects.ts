await Promise.reject(new Error('rejected at import'));
export default {};
