export { keepRepeatedMetadata } from './keep-repeated-metadata.js';
