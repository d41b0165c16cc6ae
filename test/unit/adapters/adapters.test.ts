/** The topics of test/unit/adapters (`<topic>.spec.ts`), one Jest file (test/helpers/topics.ts). */
import { runTopics } from '../../helpers/topics';

runTopics(__dirname);
