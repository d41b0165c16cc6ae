/** The topics of test/unit/setup (`<topic>.spec.ts`), one Jest file (test/helpers/topics.ts). */
import { runTopics } from '../../helpers/topics';

runTopics(__dirname);
