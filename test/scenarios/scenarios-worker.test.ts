// The scenario suite with the pipeline actors in worker threads.
import { runScenarioSuite } from "./scenario-suite.js";

runScenarioSuite("worker");
