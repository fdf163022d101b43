// Random playthroughs of an ink story in inkjs, for bench/vs_ink/run.py.
// usage: node play_ink.js STORY.ink RUNS SEED  -> prints one JSON line of figures
"use strict";
const fs = require("fs");
const { Compiler } = require("inkjs/full");

function mulberry32(a) {  // a small seeded generator, so that runs are reproducible
  return function () {
    a |= 0; a = (a + 0x6D2B79F5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const [file, runsArg, seedArg] = process.argv.slice(2);
const runs = parseInt(runsArg || "1000", 10);
const rand = mulberry32(parseInt(seedArg || "0", 10));
const source = fs.readFileSync(file, "utf8");

let t0 = process.hrtime.bigint();
const story = new Compiler(source).Compile();
const compileMs = Number(process.hrtime.bigint() - t0) / 1e6;

let choices = 0;
let checksum = 0;
t0 = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
for (let r = 0; r < runs; r++) {
  story.ResetState();
  for (;;) {
    while (story.canContinue) story.Continue();
    const n = story.currentChoices.length;
    if (n === 0) break;
    story.ChooseChoiceIndex(Math.floor(rand() * n));
    choices++;
  }
  checksum += story.variablesState["v0"];
}
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
console.log(JSON.stringify({ runs, seconds, per_second: runs / seconds, cpu_seconds: cpuSeconds,
                             per_cpu_second: runs / cpuSeconds, choices_per_run: choices / runs,
                             compile_ms: compileMs, mean_v0: checksum / runs }));
