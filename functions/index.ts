// The Functions host loads this file (package.json "main"); it only registers the functions.
import { app } from '@azure/functions';
import { registerFunctions } from './register.js';

registerFunctions(app);
