package hudson.model

/** Jenkins' build result constants, as a Jenkinsfile names them (triggers). */
class Result {
  static final Result SUCCESS = new Result(name: 'SUCCESS')
  static final Result UNSTABLE = new Result(name: 'UNSTABLE')
  static final Result FAILURE = new Result(name: 'FAILURE')
  String name
  String toString() { name }
}
