import { productTerms } from './products';
console.log(JSON.stringify(productTerms('botlarınız var mı', 'tr')));
