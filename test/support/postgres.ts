/** Tests start PostgreSQL through the shipped tools module (the sandbox uses the same one). */
export * from '../../tools/local-services/postgres.js';
