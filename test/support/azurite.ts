/** Tests start Azurite through the shipped tools module (the sandbox uses the same one). */
export * from '../../tools/local-services/azurite.js';
