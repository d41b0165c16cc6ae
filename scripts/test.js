/**
 * `npm test`: Jest's two projects (jest.config.js), unit and integration, as two Jest processes at
 * once, each running its files one after another. Their outputs are printed whole, one after the
 * other, as each finishes; the exit code is non-zero when either failed. With arguments
 * (`npm test -- <file or option>`) it is plain Jest with them.
 */
const { spawn } = require('node:child_process');
const { join } = require('node:path');

const jest = join(__dirname, '..', 'node_modules', 'jest', 'bin', 'jest.js');
const args = process.argv.slice(2);

if (args.length > 0) {
  spawn(process.execPath, [jest, ...args], { stdio: 'inherit' }).on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  console.log('npm test: the unit and the integration tests, in two Jest processes at once; each prints when it ends.');
  const runs = ['unit', 'integration'].map(
    (project) =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [jest, '--selectProjects', project, '--runInBand'], { stdio: ['ignore', 'pipe', 'pipe'] });
        const output = [];
        child.stdout.on('data', (chunk) => output.push(chunk));
        child.stderr.on('data', (chunk) => output.push(chunk));
        child.on('exit', (code, signal) => {
          process.stdout.write(Buffer.concat(output));
          resolve(code ?? (signal ? 1 : 0));
        });
      }),
  );
  Promise.all(runs).then((codes) => process.exit(codes.some((code) => code !== 0) ? 1 : 0));
}
