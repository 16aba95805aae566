import { nothing } from './no-such-module.js';
export default nothing;
