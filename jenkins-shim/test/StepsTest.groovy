/**
 * Unit tests of vars/dsoScan, dsoGate and dsoBuild in the pipeline harness,
 * with `sh` answered by the test: parameter validation, command lines and
 * quoting, reading the summary, exit-code mapping, unique file names,
 * publishing. Run by test/run.sh on Groovy 2.4.
 */
class StepsTest {
  static File root
  static File tmp

  // A harness whose `sh` writes `summary` as dsoctl would and exits `status`.
  static PipelineHarness harness(int status, Map summary) {
    File ws = File.createTempFile('dso-shim', '', tmp)
    ws.delete(); ws.mkdirs()
    PipelineHarness h = new PipelineHarness(root, ws)
    h.shHandler = { Map args ->
      if (!args.script.contains("'dsoctl'")) return 0  // staging copies
      def m = (args.script =~ /mkdir -p '([^']+)'/)
      assert m.find(), args.script
      File dir = new File(m.group(1))
      dir.mkdirs()
      if (summary != null) {
        new File(dir, 'summary.json').text = groovy.json.JsonOutput.toJson(summary)
      }
      return status
    }
    return h
  }

  static Map summary(String outcome, int exit, Map extra = [:]) {
    [schema: 'dso.summary/v1', outcome: outcome, exit_code: exit,
     message: "msg ${outcome}".toString(), run_id: 'r1',
     counts: [CRITICAL: 0, HIGH: 2, MEDIUM: 0, LOW: 0, INFO: 0],
     reports: ['secrets.sarif': 'out/secrets.sarif'], artifacts: []] + extra
  }

  static String thrown(Closure c) {
    try {
      c()
    } catch (PipelineError e) {
      return e.message
    }
    return null
  }

  static void commandLineAndResult() {
    PipelineHarness h = harness(0, summary('SUCCEEDED', 0))
    h.env.DSO_AGENT = 'unix:///run/dso/agent.sock'
    Map r = h.step('dsoScan').call(path: "it's \$HOME", scanners: ['secrets', 'deps'],
                                   failOn: 'high', failOnUnreadable: true)
    String script = h.callsOf('sh')[0].args.script
    assert script.contains("'dsoctl' '--agent' 'unix:///run/dso/agent.sock' '--json' '${h.workspace.path}@tmp/dso/dsoScan-")
    assert script.contains("'scan' '--path' 'it'\\''s \$HOME' '--scanners' 'secrets,deps' '--fail-on' 'HIGH' '--fail-on-unreadable'")
    assert h.callsOf('sh')[0].args.returnStatus == true
    assert h.callsOf('sh')[0].args.label == "dso scan it's \$HOME"
    assert r.outcome == 'SUCCEEDED' && r.exitCode == 0 && r.runId == 'r1'
    assert r.counts.HIGH == 2
    assert r.reports['secrets.sarif'] == 'out/secrets.sarif'
    assert r instanceof Map && r.counts instanceof HashMap  // plain, serializable
    assert h.currentBuild.result == 'SUCCESS'
  }

  static void embeddedWithoutAgent() {
    PipelineHarness h = harness(0, summary('SUCCEEDED', 0))
    h.step('dsoScan').call()
    String script = h.callsOf('sh')[0].args.script
    assert !script.contains('--agent')
    assert script.contains("'scan' '--path' '.'")
  }

  static void validation() {
    PipelineHarness h = harness(0, summary('SUCCEEDED', 0))
    def scan = h.step('dsoScan')
    assert thrown { scan.call(pathh: 'x') }.startsWith("dsoScan: unknown parameter 'pathh'")
    assert thrown { scan.call(failOn: 'SEVERE') }.contains("failOn: 'SEVERE' is not a severity")
    assert thrown { scan.call(scanners: 'secrets,lint') }.contains("scanners: 'lint'")
    assert thrown { scan.call(image: 'b', scanners: 'iac') }.contains("scanners: 'iac' is not secrets, deps, image, all")
    assert thrown { scan.call(onFailure: 'MAYBE') }.contains('onFailure must be one of FAILURE, UNSTABLE, IGNORE')
    def gate = h.step('dsoGate')
    assert thrown { gate.call(reports: ['a.sarif']) } == 'dsoGate: level is required (1 to 4)'
    assert thrown { gate.call(level: 5, reports: ['a.sarif']) } == "dsoGate: level '5' is not 1 to 4"
    assert thrown { gate.call(level: 'high', reports: ['a.sarif']) } == "dsoGate: level 'high' is not 1 to 4"
    assert thrown { gate.call(level: 2) }.contains('reports is required')
    assert thrown { gate.call(level: 2, reports: 'a', stage: 'qa') }.contains("stage 'qa'")
    assert thrown { gate.call(level: 2, reports: 'a', mode: 'soft') }.contains("mode 'soft'")
    assert h.callsOf('sh').isEmpty()  // nothing ran
  }

  static void exitCodes() {
    // 1: by onFailure.
    PipelineHarness h = harness(1, summary('POLICY_FAILED', 1))
    assert thrown { h.step('dsoScan').call(failOn: 'HIGH') } == 'dsoScan: msg POLICY_FAILED'
    h = harness(1, summary('POLICY_FAILED', 1))
    Map r = h.step('dsoScan').call(failOn: 'HIGH', onFailure: 'UNSTABLE')
    assert r.exitCode == 1 && h.currentBuild.result == 'UNSTABLE'
    assert h.callsOf('unstable')[0].args == 'dsoScan: msg POLICY_FAILED'
    h = harness(1, summary('POLICY_FAILED', 1))
    h.step('dsoScan').call(failOn: 'HIGH', onFailure: 'IGNORE')
    assert h.currentBuild.result == 'SUCCESS'
    // 2 and 3 always stop the build, whatever onFailure says.
    h = harness(2, summary('ERROR', 2, [message: "--path 'x' is not a directory"]))
    assert thrown { h.step('dsoScan').call(onFailure: 'IGNORE') } ==
        "dsoScan: bad input: --path 'x' is not a directory"
    h = harness(3, null)  // no summary at all
    assert thrown { h.step('dsoScan').call() } ==
        'dsoScan: the dso agent could not be reached or failed: no summary was written'
  }

  static void uniqueDirsAndPublishing() {
    PipelineHarness h = harness(0, summary('SUCCEEDED', 0))
    def scan = h.step('dsoScan')
    scan.call(publish: true, archive: true)
    scan.call(publish: true)
    List runs = h.callsOf('sh').findAll { it.args.script.contains("'dsoctl'") }
    List dirs = runs.collect { (it.args.script =~ /mkdir -p '([^']+)'/)[0][1] }
    assert dirs.size() == 2 && dirs[0] != dirs[1]
    assert dirs.every { it.startsWith(h.workspace.path + '@tmp/dso/') }  // outside the tree
    List ids = h.callsOf('recordIssues').collect { it.args.tools[0].id }
    assert ids.size() == 2 && ids[0] != ids[1]
    String pattern = h.callsOf('recordIssues')[0].args.tools[0].pattern
    assert pattern ==~ /\.dso-publish\/[0-9a-f]{8}\/secrets\.sarif/
    assert h.callsOf('sh').any { it.args.script.contains("cp 'out/secrets.sarif' '${pattern}'") }
    assert h.callsOf('sh').any { it.args.script.startsWith("rm -rf '.dso-publish/") }
    assert h.callsOf('archiveArtifacts').size() == 1
  }

  // A dsoctl of after the rename: findings.sarif, and the same file under
  // its old name until the next release; published and archived once.
  static void renamedReports() {
    Map both = ['findings.sarif': 'out/findings.sarif', 'secrets.sarif': 'out/findings.sarif']
    PipelineHarness h = harness(0, summary('SUCCEEDED', 0, [reports: both]))
    h.step('dsoScan').call(publish: true, archive: true)
    String pattern = h.callsOf('recordIssues')[0].args.tools[0].pattern
    assert pattern ==~ /\.dso-publish\/[0-9a-f]{8}\/findings\.sarif/
    assert h.callsOf('sh').findAll { it.args.script.contains("cp 'out/findings.sarif'") }.size() == 2
    assert h.callsOf('archiveArtifacts')[0].args.artifacts.split(',').size() == 1
  }

  static void gateCommandAndJunit() {
    PipelineHarness h = harness(0, summary('SUCCEEDED', 0,
        [reports: ['gate.json': 'g/gate.json', 'gate-junit.xml': 'g/gate-junit.xml']]))
    Map r = h.step('dsoGate').call(level: '3', reports: 'a.sarif, b.json',
                                   policy: 'policy.yaml', mode: 'warn',
                                   evidence: ['v.json'], subject: 'sha256:ab')
    String script = h.callsOf('sh')[0].args.script
    assert script.contains("'gate' '--level' '3' '--stage' 'source' '--mode' 'warn' " +
                           "'--report' 'a.sarif' '--report' 'b.json' '--policy' 'policy.yaml' " +
                           "'--evidence' 'v.json' '--subject' 'sha256:ab'")
    assert h.callsOf('junit')[0].args.testResults ==~ /\.dso-publish\/[0-9a-f]{8}\/gate-junit\.xml/
    assert r.decision == 'g/gate.json'
    h = harness(0, summary('SUCCEEDED', 0, [reports: ['gate-junit.xml': 'j.xml']]))
    h.step('dsoGate').call(level: 1, reports: ['a'], junit: false)
    assert h.callsOf('junit').isEmpty()
  }

  static void readJsonFallback() {
    // Without pipeline-utility-steps (no readJSON), the summary is parsed
    // from readFile.
    PipelineHarness h = harness(0, summary('SUCCEEDED', 0))
    Script scan = h.step('dsoScan')
    scan.binding.variables.remove('readJSON')
    Map r = scan.call()
    assert r.counts.HIGH == 2
    assert h.callsOf('readFile').size() == 1
    // Jenkins says so with a NoSuchMethodError.
    scan.binding.setVariable('readJSON', { Map a ->
      throw new NoSuchMethodError("No such DSL method 'readJSON' found")
    })
    assert scan.call().counts.HIGH == 2
    assert h.callsOf('readFile').size() == 2
  }

  static void buildCommandLineAndResult() {
    PipelineHarness h = harness(0, summary('SUCCEEDED', 0,
        [outputs: ['image.digest': 'sha256:feed'], reports: [:]]))
    Map r = h.step('dsoBuild').call(context: 'app', base: 'base-oci',
        tag: 'app:1', entrypoint: ['python3', "/app/it's.py"], user: '65532',
        env: [MODE: 'prod'], labels: ['org.opencontainers.image.revision': 'abc'],
        expose: '8080', files: ['conf.ini:/etc/app.ini:0600',
                                [source: 'run.sh', dest: '/bin/run', mode: '0755']],
        dockerArchive: true)
    String script = h.callsOf('sh')[0].args.script
    assert script.contains("'build' '--context' 'app' '--out' '${h.workspace.path}@tmp/dso/dsoBuild-")
    assert script.contains("'--base' 'base-oci' '--user' '65532' '--tag' 'app:1' " +
        "'--entrypoint' '[\"python3\",\"/app/it'\\''s.py\"]' '--env' 'MODE=prod' " +
        "'--label' 'org.opencontainers.image.revision=abc' '--expose' '8080' " +
        "'--file' 'conf.ini:/etc/app.ini:0600' '--file' 'run.sh:/bin/run:0755' " +
        "'--docker-archive' '")
    assert r.digest == 'sha256:feed'
    assert r.image.startsWith(h.workspace.path + '@tmp/dso/dsoBuild-') && r.image.endsWith('/image')
    assert r.dockerArchive.endsWith('/image.docker.tar')
    assert h.callsOf('sh')[0].args.label == 'dso build app'
  }

  static void scanImageAndBuildValidation() {
    PipelineHarness h = harness(0, summary('SUCCEEDED', 0))
    h.step('dsoScan').call(image: 'img:app:1', scanners: 'secrets,image')
    assert h.callsOf('sh')[0].args.script.contains(
        "'scan' '--image' 'img:app:1' '--scanners' 'secrets,image'")
    def scan = h.step('dsoScan')
    assert thrown { scan.call(path: 'a', image: 'b') } == 'dsoScan: give path or image, not both'
    assert thrown { scan.call(scanners: 'image') }.contains("scanners: 'image' is not secrets, deps, all, iac")
    h.step('dsoScan').call(path: 'infra', scanners: 'iac')
    assert h.callsOf('sh')[1].args.script.contains("'scan' '--path' 'infra' '--scanners' 'iac'")
    assert thrown { scan.call(image: 'b', git: true) } == 'dsoScan: git applies to path, not image'
    def build = h.step('dsoBuild')
    assert thrown { build.call(env: ['NOVALUE']) } == "dsoBuild: env: 'NOVALUE' is not NAME=VALUE"
    assert thrown { build.call(labels: 'a=b') } == 'dsoBuild: labels must be a map of label to value'
    assert thrown { build.call(files: ['conf.ini']) } == "dsoBuild: files: 'conf.ini' is not SRC:/DEST[:MODE]"
    assert thrown { build.call(files: ['a:/b:999']) }.contains('is not SRC:/DEST[:MODE]')
    assert thrown { build.call(tags: 'x') }.startsWith("dsoBuild: unknown parameter 'tags'")
    assert h.callsOf('sh').size() == 2  // only the two scans ran
  }

  static void signVerifyStoreCommandLines() {
    PipelineHarness h = harness(0, summary('SUCCEEDED', 0, [outputs: [
        'image.digest': 'sha256:' + 'a' * 64,
        'signature.tag': 'sha256-' + 'a' * 64 + '.sig']]))
    h.credentials['cosign-key'] = 'KEY TEXT'
    h.credentials['cosign-pw'] = 'hunter2'
    Map r = h.step('dsoSign').call(image: 'reg/app:1',
        keyCredentialsId: 'cosign-key', passwordCredentialsId: 'cosign-pw',
        attest: [[file: 'gate.json', type: 'gate'], 'sbom.json'], type: 'sbom',
        annotations: [build: '42'])
    String script = h.callsOf('sh')[0].args.script
    assert script.contains("'sign' '--image' 'reg/app:1' '--attest' 'gate.json' '--type' 'gate' '--attest' 'sbom.json' '--type' 'sbom' '--annotation' 'build=42'")
    // The key and its password reach dsoctl only through the environment.
    assert !script.contains('--key') && !script.contains('hunter2')
    List bindings = h.callsOf('withCredentials')[0].args
    assert bindings.find { it.kind == 'file' }.variable == 'DSO_KEY'
    assert bindings.find { it.kind == 'string' }.variable == 'DSO_KEY_PASSWORD'
    assert r.digest == 'sha256:' + 'a' * 64 && r.signatureTag.endsWith('.sig')
    assert h.env.DSO_KEY == null  // bound only while dsoctl ran

    h = harness(0, summary('SUCCEEDED', 0, [outputs: [
        'image.digest': 'sha256:' + 'b' * 64, 'verified.types': 'x,y'],
        reports: ['verified-signatures.json': '/t/s.json']]))
    Map v = h.step('dsoVerify').call(image: 'img', key: 'cosign.pub',
                                     require: ['gate', 'sbom'])
    script = h.callsOf('sh')[0].args.script
    assert script.contains("'verify' '--image' 'img' '--key' 'cosign.pub' '--require' 'gate' '--require' 'sbom'")
    assert v.verified && v.types == ['x', 'y'] && v.evidence == ['/t/s.json']

    h = harness(0, summary('SUCCEEDED', 0, [outputs: [url: 's3://b/app.tgz',
        digest: 'sha256:' + 'c' * 64, size: '10']]))
    h.credentials['aws'] = ['AKIA', 's3cr3t']
    Map st = h.step('dsoStore').call(src: 'dist/app.tgz', dest: 's3://b/',
                                     awsCredentialsId: 'aws')
    script = h.callsOf('sh')[0].args.script
    assert script.contains("'store' 'put' 'dist/app.tgz' 's3://b/'")
    assert !script.contains('s3cr3t')
    assert h.callsOf('withCredentials')[0].args[0].passwordVariable == 'AWS_SECRET_ACCESS_KEY'
    assert st.url == 's3://b/app.tgz' && st.digest.startsWith('sha256:')
  }

  static void signVerifyStoreValidation() {
    PipelineHarness h = harness(1, summary('POLICY_FAILED', 1))
    def sign = h.step('dsoSign')
    assert thrown { sign.call(key: 'k') } .contains('or blob (a file) is required')
    assert thrown { sign.call(key: 'k', image: 'i', blob: 'b') }.contains('one of them')
    assert thrown { sign.call(image: 'i') }.contains('keyCredentialsId')
    assert thrown { sign.call(image: 'i', key: 'k', keyCredentialsId: 'c') }.contains('not both')
    assert thrown { sign.call(image: 'i', key: 'k', attest: 'a.json') }.contains("'a.json' needs a type")
    assert thrown { sign.call(image: 'i', key: 'k', noSignature: true) }.contains('noSignature needs')
    def verify = h.step('dsoVerify')
    assert thrown { verify.call(image: 'i', key: 'k', digest: 'sha256:1') }.contains("is not sha256:<64 hex>")
    assert thrown { verify.call(blob: 'b', key: 'k') }.contains('signature is required with blob')
    assert thrown { verify.call(image: 'i', key: 'k', requireGate: 'final:9') }.contains("requireGate: 'final:9' is not STAGE:LEVEL")
    // A failed verification stops the build by default, or marks it.
    assert thrown { verify.call(image: 'i', key: 'k') } == 'dsoVerify: msg POLICY_FAILED'
    PipelineHarness fresh = harness(1, summary('POLICY_FAILED', 1))
    Map r = fresh.step('dsoVerify').call(image: 'i', key: 'k', onFailure: 'UNSTABLE')
    assert !r.verified && fresh.currentBuild.result == 'UNSTABLE'
    def store = h.step('dsoStore')
    assert thrown { store.call(op: 'move', src: 'a') }.contains("op 'move'")
    assert thrown { store.call(op: 'get', src: 's3://b/k') }.contains('dest is required')
    assert thrown { store.call(src: 'a', dest: 's3://b/', allowlist: 'x') }.contains('allowlist applies to get')
    assert thrown { store.call(src: 'a', dest: 's3://b/', awsCredentialsId: 'nope') }.contains("Could not find credentials entry with ID 'nope'")
  }

  static void deployCommandLinesAndValidation() {
    PipelineHarness h = harness(0, summary('SUCCEEDED', 0, [outputs: [
        'image.digest': 'sha256:' + 'd' * 64, release: '20261127T080000Z-dddd',
        previous: '20261126T080000Z-cccc']]))
    h.credentials['release-pub'] = '-----BEGIN PUBLIC KEY-----'
    Map r = h.step('dsoDeploy').call(image: 'reg/app:1', target: 'web',
        verifyKeyCredentialsId: 'release-pub', health: 'http://127.0.0.1:{port}/h',
        port: 8080, rasp: 'rasp.yaml', env: [MODE: 'prod'], strategy: 'blue-green')
    String script = h.callsOf('sh')[0].args.script
    assert script.contains("'deploy' '--image' 'reg/app:1' '--target' 'web' '--port' '8080' '--health' 'http://127.0.0.1:{port}/h' '--rasp' 'rasp.yaml' '--strategy' 'blue-green' '--env' 'MODE=prod'"), script
    assert !script.contains('--verify-key')  // the key comes as DSO_VERIFY_KEY
    assert h.callsOf('withCredentials')[0].args[0].variable == 'DSO_VERIFY_KEY'
    assert r.deployed && !r.rolledBack && r.release.endsWith('-dddd')
    assert r.previous.endsWith('-cccc') && r.digest == 'sha256:' + 'd' * 64

    h = harness(0, summary('SUCCEEDED', 0, [outputs: [events: '3', blocked: '2']]))
    Map ev = h.step('dsoDeploy').call(action: 'events', target: 'host:///srv/web', limit: 10)
    script = h.callsOf('sh')[0].args.script
    assert script.contains("'deploy' 'events' '--target' 'host:///srv/web' '--limit' '10'")
    assert ev.events == 3 && ev.blocked == 2 && !ev.deployed

    h = harness(1, summary('POLICY_FAILED', 1, [outputs: [rolled_back: 'true']]))
    def deploy = h.step('dsoDeploy')
    assert thrown { deploy.call(image: 'i') }.contains('target is required')
    assert thrown { deploy.call(target: 't') }.contains('image is required')
    assert thrown { deploy.call(image: 'i', target: 't', action: 'restart') }.contains("action 'restart'")
    assert thrown { deploy.call(image: 'i', target: 't', port: 'http') }.contains('port must be a whole number')
    assert thrown { deploy.call(image: 'i', target: 't', strategy: 'canary') }.contains("strategy 'canary'")
    assert thrown { deploy.call(image: 'i', target: 't', verifyKey: 'a', verifyKeyCredentialsId: 'b') }.contains('not both')
    assert thrown { deploy.call(image: 'i', target: 't', requireGate: 'final') }.contains('is not STAGE:LEVEL')
    // A refused or rolled-back deployment stops the build by default.
    assert thrown { deploy.call(image: 'i', target: 't') } == 'dsoDeploy: msg POLICY_FAILED'
    PipelineHarness fresh = harness(1, summary('POLICY_FAILED', 1, [outputs: [rolled_back: 'true']]))
    Map back = fresh.step('dsoDeploy').call(image: 'i', target: 't', onFailure: 'UNSTABLE')
    assert back.rolledBack && !back.deployed && fresh.currentBuild.result == 'UNSTABLE'
  }

  static int run(File rootDir) {
    root = rootDir
    tmp = File.createTempDir()
    int failed = 0
    List names = ['commandLineAndResult', 'embeddedWithoutAgent', 'validation',
                  'exitCodes', 'uniqueDirsAndPublishing', 'gateCommandAndJunit',
                  'readJsonFallback', 'buildCommandLineAndResult',
                  'scanImageAndBuildValidation', 'signVerifyStoreCommandLines',
                  'signVerifyStoreValidation', 'deployCommandLinesAndValidation',
                  'renamedReports']
    for (String name : names) {
      try {
        StepsTest."$name"()
        println "PASS ${name}"
      } catch (Throwable t) {
        failed++
        println "FAIL ${name}: ${t}"
      }
    }
    tmp.deleteDir()
    return failed
  }
}
