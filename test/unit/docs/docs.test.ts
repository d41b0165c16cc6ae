/** The topics of test/unit/docs (`<topic>.spec.ts`), one Jest file (test/helpers/topics.ts). */
import { runTopics } from '../../helpers/topics';

runTopics(__dirname);
