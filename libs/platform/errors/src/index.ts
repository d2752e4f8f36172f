export { AppError, toAppError } from './app.error';
