export const covers = ['ECHO-1'];
