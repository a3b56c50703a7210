import type { Scenario } from '../scenario';
import acknowledgement from './acknowledgement';
import anger from './anger';
import budget from './budget';
import buying from './buying';
import catalogue from './catalogue';
import clarification from './clarification';
import haggling from './haggling';
import inventedProduct from './invented_product';
import knowledge from './knowledge';
import language from './language';
import negation from './negation';
import objection from './objection';
import qualification from './qualification';
import quantity from './quantity';
import reference from './reference';
import support from './support';

export const scenarios: Scenario[] = [
  ...catalogue,
  ...reference,
  ...acknowledgement,
  ...clarification,
  ...qualification,
  ...objection,
  ...knowledge,
  ...buying,
  ...support,
  ...anger,
  ...haggling,
  ...inventedProduct,
  ...language,
  ...negation,
  ...quantity,
  ...budget,
];
