/**
 * How the benchmark's child stacks end (bench/stack-process.ts, bench/scale/stack-child.ts): when
 * the parent closes their standard input (it exited or is done with them), or on SIGTERM or SIGINT,
 * the stack stops once and the process exits (1 when stopping failed).
 */
export function stopWithParent(stack: { stop(): Promise<unknown> }): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    stack.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
