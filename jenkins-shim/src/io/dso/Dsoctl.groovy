package io.dso

/**
 * How every dso step runs dsoctl from a pipeline: the agent address, a
 * directory of its own per invocation outside the workspace (parallel
 * branches never share one, and a scan of the workspace never reads
 * earlier outputs),
 * the command line with each argument shell-quoted, `sh` with
 * returnStatus so output streams into the console, the --json summary read
 * back as plain maps, and the exit code mapped to the build result.
 *
 * Holds the script object (the pipeline) to call steps; keeps only plain
 * serializable values between steps (CPS-safe on Groovy 2.4).
 */
class Dsoctl implements Serializable {
  private static final long serialVersionUID = 1L

  static final List FAILURE_MODES = ['FAILURE', 'UNSTABLE', 'IGNORE']

  private final def script
  private final String step

  Dsoctl(def script, String step) {
    this.script = script
    this.step = step
  }

  /** Single-quotes a word for sh: nothing in it is expanded. */
  @NonCPS
  static String quote(Object word) {
    return "'" + word.toString().replace("'", "'\\''") + "'"
  }

  /** Stops the build with a message naming the step. */
  void fail(String message) {
    script.error("${step}: ${message}")
  }

  /** args.agent, else env.DSO_AGENT, else '' (embedded). */
  String agent(Map args) {
    if (args.agent) return args.agent.toString()
    def fromEnv = script.env?.DSO_AGENT
    return fromEnv ? fromEnv.toString() : ''
  }

  private String id = UUID.randomUUID().toString().substring(0, 8)
  private boolean staged = false  // copies in .dso-publish/<id>/ to remove

  /**
   * This invocation's directory for the summary and reports: under the
   * workspace's temporary directory (`<workspace>@tmp`), not in the tree a
   * scan reads.
   */
  String workDir() {
    return "${script.pwd(tmp: true)}/dso/${step}-${id}".toString()
  }

  /** A unique id for publishers (Warnings NG tool ids). */
  String publishId() {
    return "dso-${step}-${id}".toString()
  }

  /**
   * Publishers and archiveArtifacts read workspace-relative paths: copies
   * `path` to `.dso-publish/<id>/` in the workspace and returns that path;
   * unstage() removes the copies once published.
   */
  String stage(String path) {
    String dest = ".dso-publish/${id}/${path.tokenize('/').last()}".toString()
    script.sh(script: "mkdir -p ${quote(".dso-publish/${id}")} && cp ${quote(path)} ${quote(dest)}",
              label: 'dso: stage a report for publishing')
    staged = true
    return dest
  }

  /** archiveArtifacts of every report, when there are any. */
  void archive(Map reports) {
    if (!reports) return
    List copies = []
    // A report may stand under two names (findings.sarif and, until the
    // next release, secrets.sarif): each file once.
    for (Object r : new ArrayList(reports.values()).unique()) {
      copies << stage(r.toString())
    }
    script.archiveArtifacts(artifacts: copies.join(','), allowEmptyArchive: true)
  }

  /** Removes what stage() copied, if anything. */
  void unstage() {
    if (!staged) return
    script.sh(script: "rm -rf ${quote(".dso-publish/${id}")}",
              label: 'dso: remove staged reports')
    staged = false
  }

  /**
   * Runs `dsoctl [--agent A] --json DIR/summary.json <words>`; returns the
   * result map: outcome, exitCode, message, counts, reports, artifacts,
   * outputs, runId, summary (the file).
   */
  Map run(Map args, String dir, List words, String label) {
    List cmd = ['dsoctl']
    String address = agent(args)
    if (address) cmd += ['--agent', address]
    cmd += ['--json', "${dir}/summary.json".toString()]
    cmd += words
    StringBuilder line = new StringBuilder()
    for (Object w : cmd) {
      if (line.length() > 0) line.append(' ')
      line.append(quote(w))
    }
    int status = script.sh(script: "mkdir -p ${quote(dir)} && ${line}",
                           returnStatus: true, label: label)
    Map summary = readSummary("${dir}/summary.json".toString())
    return [
      outcome  : summary.outcome ?: (status == 0 ? 'SUCCEEDED' : 'ERROR'),
      exitCode : status,
      message  : summary.message ?: '',
      counts   : summary.counts ?: [:],
      reports  : summary.reports ?: [:],
      artifacts: summary.artifacts ?: [],
      outputs  : summary.outputs ?: [:],
      runId    : summary.run_id ?: '',
      summary  : "${dir}/summary.json".toString(),
    ]
  }

  /**
   * run() inside withCredentials with these bindings (file, string,
   * usernamePassword): the secrets reach dsoctl only as environment
   * variables, never on its command line or in the console.
   */
  Map runWith(List bindings, Map args, String dir, List words, String label) {
    if (!bindings) return run(args, dir, words, label)
    Map result = null
    script.withCredentials(bindings) {
      result = run(args, dir, words, label)
    }
    return result
  }

  /** The --json summary as plain maps; empty when dsoctl wrote none. */
  Map readSummary(String path) {
    if (!script.fileExists(path)) return [:]
    try {
      return toPlain(script.readJSON(file: path, returnPojo: true)) as Map
    } catch (MissingMethodException | NoSuchMethodError e) {
      // pipeline-utility-steps absent (Jenkins: "No such DSL method
      // 'readJSON'", a NoSuchMethodError): parse the text ourselves.
      return parseJson(script.readFile(file: path))
    }
  }

  @NonCPS
  static Map parseJson(String text) {
    return toPlain(new groovy.json.JsonSlurperClassic().parseText(text)) as Map
  }

  /** Plain HashMaps and ArrayLists (no LazyMap kept across steps). */
  @NonCPS
  static Object toPlain(Object o) {
    if (o instanceof Map) {
      Map out = [:]
      o.each { k, v -> out[k.toString()] = toPlain(v) }
      return out
    }
    if (o instanceof List) return o.collect { toPlain(it) }
    return o
  }

  /**
   * Maps dsoctl's exit code to the build: 0 fine; 1 (policy outcome) by
   * onFailure — FAILURE stops the build, UNSTABLE marks it, IGNORE does
   * nothing; 2 bad input and 3 agent trouble always stop it, saying so.
   */
  void apply(Map result, String onFailure) {
    int code = result.exitCode as int
    String why = result.message ?: 'no summary was written'
    if (code == 0) return
    if (code == 1) {
      if (onFailure == 'FAILURE') fail(why)
      if (onFailure == 'UNSTABLE') script.unstable("${step}: ${why}")
      return
    }
    if (code == 2) fail("bad input: ${why}")
    if (code == 3) fail("the dso agent could not be reached or failed: ${why}")
    if (code == 130) fail('cancelled')
    fail("dsoctl exited with ${code}: ${why}")
  }

  /**
   * The admission words verify and deploy share: --require-gate for each
   * STAGE:LEVEL, --digest for a pinned sha256; a malformed one stops the
   * build.
   */
  List pinWords(Map args) {
    List words = []
    for (String g : listOf(args.requireGate)) {
      if (!(g ==~ /(source|container|final):[1-4]/)) {
        fail("requireGate: '${g}' is not STAGE:LEVEL (e.g. final:3)")
      }
      words += ['--require-gate', g]
    }
    if (args.digest) {
      if (!(args.digest.toString() ==~ /sha256:[0-9a-f]{64}/)) {
        fail("digest '${args.digest}' is not sha256:<64 hex>")
      }
      words += ['--digest', args.digest.toString()]
    }
    return words
  }

  /** Checks args against known keys; a typo stops the build. */
  void checkKeys(Map args, List known) {
    for (Object k : args.keySet()) {
      if (!known.contains(k.toString())) {
        fail("unknown parameter '${k}' (known: ${known.join(', ')})")
      }
    }
  }

  String onFailure(Map args) {
    String mode = (args.onFailure ?: 'FAILURE').toString()
    if (!FAILURE_MODES.contains(mode)) {
      fail("onFailure must be one of ${FAILURE_MODES.join(', ')}, not '${mode}'")
    }
    return mode
  }

  /** A JSON array of strings, for --entrypoint and --cmd. */
  @NonCPS
  static String jsonArray(Collection words) {
    return groovy.json.JsonOutput.toJson(words.collect { it.toString() })
  }

  /** A map as KEY=VALUE strings, or a list of them as it is. */
  @NonCPS
  static List pairsOf(Object value) {
    if (value == null) return []
    if (value instanceof Map) {
      return value.collect { k, v -> "${k}=${v}".toString() }
    }
    return listOf(value)
  }

  /** A list parameter given as a list or a comma-separated string. */
  @NonCPS
  static List listOf(Object value) {
    if (value == null) return []
    if (value instanceof Collection) return value.collect { it.toString() }
    return value.toString().split(',').collect { it.trim() }.findAll { it }
  }
}
