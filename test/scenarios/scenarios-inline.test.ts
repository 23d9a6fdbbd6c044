// The scenario suite with the pipeline actors inline on the main thread.
import { runScenarioSuite } from "./scenario-suite.js";

runScenarioSuite("inline");
