/** What the harness's `error` step throws, as Jenkins' does. */
class PipelineError extends RuntimeException {
  PipelineError(String message) { super(message) }
}
