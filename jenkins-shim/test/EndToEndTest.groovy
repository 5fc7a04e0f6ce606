/**
 * The steps for real: the harness runs `sh` with /bin/sh, against a real
 * dso-agent and the real dsoctl, on a fixture project with a planted
 * secret and a vulnerable dependency. Needs DSOCTL and DSO_AGENT_BIN (set
 * by scripts/test.sh); skipped without them.
 */
class EndToEndTest {
  static int run(File root) {
    String dsoctl = System.getenv('DSOCTL')
    String agentBin = System.getenv('DSO_AGENT_BIN')
    File repo = root.parentFile
    File tmp = File.createTempDir()
    Process agent = null
    try {
      File sock = new File(tmp, 'agent.sock')
      // file:// stores of the agent lie beneath its store_roots.
      File config = new File(tmp, 'agent.yaml')
      config.text = "store_roots: ['${tmp.canonicalPath}']\n"
      agent = new ProcessBuilder(agentBin, '--listen', "unix://${sock}",
                                 '--config', config.path,
                                 '--data-dir', new File(tmp, 'data').path)
          .redirectErrorStream(true).redirectOutput(new File(tmp, 'agent.log'))
          .start()
      for (int i = 0; i < 100 && !sock.exists(); i++) sleep(50)
      assert sock.exists(), new File(tmp, 'agent.log').text
      String address = "unix://${sock}"
      // The advisory database: one vendored PyPA record (PyYAML).
      Process imp = new ProcessBuilder(dsoctl, '--agent', address, 'db', 'import',
          new File(repo, 'tests/e2e/data/osv/pypa/pyyaml/PYSEC-2021-142.yaml').path)
          .redirectErrorStream(true).start()
      imp.inputStream.text
      assert imp.waitFor() == 0

      File ws = new File(tmp, 'workspace')
      new File(ws, 'app').mkdirs()
      new File(ws, 'app/config.py').text = 'aws_key = "AKIAQYLPMN5HHHFPZAM2"\n'
      new File(ws, 'app/requirements.txt').text = 'PyYAML==5.3.1\n'
      PipelineHarness h = new PipelineHarness(root, ws)
      h.extraPath = new File(dsoctl).parentFile.path
      h.env.DSO_AGENT = address

      // dsoScan finds the secret and the vulnerable PyYAML; UNSTABLE asked.
      Map scan = h.step('dsoScan').call(path: 'app', failOn: 'HIGH',
                                        onFailure: 'UNSTABLE', publish: true)
      assert scan.exitCode == 1, h.log.join('\n')
      assert scan.outcome == 'POLICY_FAILED'
      assert scan.counts.CRITICAL == 1  // the AWS key
      assert scan.counts.MEDIUM == 1    // PYSEC-2021-142 (no CVSS vector)
      assert h.currentBuild.result == 'UNSTABLE'
      String sarif = scan.reports['findings.sarif']
      assert scan.reports['secrets.sarif'] == sarif  // the old name, one release
      assert sarif.startsWith(ws.path + '@tmp/')  // outside the workspace
      assert new File(sarif).exists()
      assert !new File(ws, '.dso-publish').list()  // staged copies removed
      assert h.log.any { it.contains('PYSEC-2021-142') }
      assert !h.log.any { it.contains('AKIAQYLPMN5HHHFPZAM2') }  // masked

      // dsoGate fails at level 4...
      String failed = null
      try {
        h.step('dsoGate').call(level: 4, reports: [sarif])
      } catch (PipelineError e) {
        failed = e.message
      }
      assert failed?.startsWith('dsoGate: gate failed: level 4'), failed
      assert h.callsOf('junit').size() == 1  // published before failing

      // ...and passes at level 1 with the two findings waived.
      Map json = new groovy.json.JsonSlurperClassic().parse(
          new File(scan.reports['findings.json']))
      StringBuilder w = new StringBuilder('waivers:\n')
      for (Map f : json.findings) {
        w << "  - fingerprint: \"${f.fingerprint}\"\n    reason: fixture\n" +
             "    owner: ci@example.com\n    expires: 2099-12-31\n"
      }
      new File(ws, 'waivers.yaml').text = w.toString()
      Map gate = h.step('dsoGate').call(level: 1, reports: [sarif],
                                        waivers: 'waivers.yaml')
      assert gate.exitCode == 0 && gate.outcome == 'SUCCEEDED', h.log.join('\n')
      assert gate.counts.CRITICAL == 0
      assert new File(gate.decision).exists()
      println 'PASS endToEnd'

      // dsoBuild makes an image of the app, the same digest twice; dsoScan
      // finds the planted key in the image, in the app's layer.
      Map spec = [context: 'app', tag: 'app:1', user: '65532',
                  entrypoint: ['python3', '/app/config.py']]
      Map built = h.step('dsoBuild').call(spec)
      assert built.exitCode == 0 && built.digest.startsWith('sha256:'), h.log.join('\n')
      assert h.step('dsoBuild').call(spec).digest == built.digest
      Map img = h.step('dsoScan').call(image: built.image,
                                       scanners: 'secrets,image')
      assert img.exitCode == 0 && img.counts.CRITICAL == 1, h.log.join('\n')
      Map found = new groovy.json.JsonSlurperClassic().parse(
          new File(img.reports['findings.json']))
      Map key = found.findings.find { it.rule_id == 'aws-access-key-id' }
      assert key.location.layer == built.outputs['image.layer']
      assert !found.findings.any { it.rule_id == 'image-runs-as-root' }
      println 'PASS buildAndScanImage'

      // dsoSign signs the built image and attests the gate's decision with
      // a key and password from Jenkins credentials; dsoVerify checks both;
      // dsoStore keeps the decision in a content-addressed store and loads
      // it back. The password never reaches the console.
      ProcessBuilder gen = new ProcessBuilder(dsoctl, 'keys', 'generate', '--out',
                                       new File(tmp, 'cosign').path)
      gen.environment().put('DSO_KEY_PASSWORD', 'jenkins-secret-pw')
      gen.redirectErrorStream(true)
      Process g = gen.start()
      g.inputStream.text
      assert g.waitFor() == 0
      h.credentials['cosign-key'] = new File(tmp, 'cosign.key').text
      h.credentials['cosign-password'] = 'jenkins-secret-pw'
      String statement = gate.reports['gate.intoto.json']
      assert statement && new File(statement).exists(), gate.reports
      Map signed = h.step('dsoSign').call(image: built.image,
          keyCredentialsId: 'cosign-key', passwordCredentialsId: 'cosign-password',
          attest: [[file: statement, type: 'gate']], provenance: true)
      assert signed.exitCode == 0 && signed.digest == built.digest, h.log.join('\n')
      Map verified = h.step('dsoVerify').call(image: built.image,
          key: new File(tmp, 'cosign.pub').path, require: ['gate', 'provenance'],
          requireGate: 'source:1', digest: built.digest)
      assert verified.verified && verified.types.contains('https://dso.dev/attestations/gate/v1')
      assert verified.evidence.size() == 2
      Map higher = h.step('dsoVerify').call(image: built.image,
          key: new File(tmp, 'cosign.pub').path, requireGate: 'source:4',
          onFailure: 'IGNORE')
      assert !higher.verified && higher.message.contains('level 4 or above')
      h.credentials['other-key'] = 'not a key'
      String refused = null
      try {
        h.step('dsoSign').call(image: built.image, keyCredentialsId: 'other-key')
      } catch (PipelineError e) {
        refused = e.message
      }
      assert refused?.startsWith('dsoSign: bad input:'), refused
      Map stored = h.step('dsoStore').call(src: gate.decision,
          dest: "file://${tmp}/cas".toString())
      assert stored.exitCode == 0 && stored.digest.startsWith('sha256:')
      Map loaded = h.step('dsoStore').call(op: 'get', src: stored.url,
          dest: new File(ws, 'decision.json').path)
      assert loaded.exitCode == 0
      assert new File(ws, 'decision.json').text == new File(gate.decision).text
      Map blobSigned = h.step('dsoSign').call(blob: gate.decision,
          keyCredentialsId: 'cosign-key', passwordCredentialsId: 'cosign-password')
      assert blobSigned.exitCode == 0 && blobSigned.signature
      Map blobVerified = h.step('dsoVerify').call(blob: gate.decision,
          signature: blobSigned.signatureFile, key: new File(tmp, 'cosign.pub').path)
      assert blobVerified.verified
      assert !h.log.any { it.contains('jenkins-secret-pw') }
      println 'PASS signVerifyStore'

      // dsoDeploy: the demo service, built, signed with provenance and the
      // gate's attestation, deployed to a host target under a RASP policy
      // in block mode; its planted hole cannot start a shell, and the
      // events say so. A release signed by another key is refused.
      Map svc = h.step('dsoBuild').call(context: new File(repo, 'pipelines/demo/app').path,
          tag: 'greeter:1', entrypoint: ['python3', '/app/greeter.py', 'serve'])
      assert svc.exitCode == 0, h.log.join('\n')
      h.step('dsoSign').call(image: svc.image, keyCredentialsId: 'cosign-key',
          passwordCredentialsId: 'cosign-password',
          attest: [[file: statement, type: 'gate']], provenance: true)
      ServerSocket probe = new ServerSocket(0)
      int port = probe.localPort
      probe.close()
      new File(ws, 'rasp.yaml').text = "mode: block\nexec: [/usr/bin/python3]\n" +
          "network:\n  connect: []\n  listen: [${port}]\n"
      // The image names no user: the service runs as a dedicated one,
      // which must reach its release directory.
      File greeterRoot = File.createTempDir()
      greeterRoot.setExecutable(true, false)
      greeterRoot.setReadable(true, false)
      String target = "host://${greeterRoot}/greeter".toString()
      Map deployArgs = [image: svc.image, target: target,
          verifyKey: new File(tmp, 'cosign.pub').path, require: ['provenance'],
          requireGate: 'source:1', health: 'http://127.0.0.1:{port}/healthz',
          port: port, rasp: 'rasp.yaml', env: [DSO_DEMO_VULNERABLE: '1']]
      try {
        Map deployed = h.step('dsoDeploy').call(deployArgs)
        assert deployed.deployed && deployed.release, h.log.join('\n')
        assert deployed.digest == svc.digest
        String answer = new URL("http://127.0.0.1:${port}/debug/run?cmd=id").openConnection().with {
          it.responseCode == 403 ? it.errorStream.text : it.inputStream.text
        }
        assert answer.contains('refused'), answer
        Map events = h.step('dsoDeploy').call(action: 'events', target: target)
        assert events.blocked >= 1, h.log.join('\n')
        assert h.log.any { it.contains('blocked exec /usr/bin/dash') }
        ProcessBuilder other = new ProcessBuilder(dsoctl, 'keys', 'generate',
                                                  '--out', new File(tmp, 'other').path)
        other.environment().put('DSO_KEY_PASSWORD', 'x')
        other.redirectErrorStream(true)
        Process o = other.start()
        o.inputStream.text
        assert o.waitFor() == 0
        Map impostor = h.step('dsoDeploy').call(deployArgs +
            [verifyKey: new File(tmp, 'other.pub').path, onFailure: 'IGNORE'])
        assert impostor.exitCode == 1 && !impostor.deployed
        assert impostor.message.startsWith('admission refused'), impostor.message
      } finally {  // never leave the service running
        Map stopped = h.step('dsoDeploy').call(action: 'stop', target: target)
        greeterRoot.deleteDir()
        assert stopped.exitCode == 0
      }
      println 'PASS deploy'

      // pipelines/Jenkinsfile.minimal, run as Jenkins would, twice in one
      // workspace kept between builds: the gate stops the first build on
      // the secret; with the repository's own policy waiving both findings
      // the second passes — its scan of '.' does not read the first
      // build's outputs, which live in <workspace>@tmp.
      File jf = new File(repo, 'pipelines/Jenkinsfile.minimal')
      ws = new File(tmp, 'build1')
      new File(ws, 'app').mkdirs()
      new File(ws, 'app/config.py').text = 'aws_key = "AKIAQYLPMN5HHHFPZAM2"\n'
      new File(ws, 'app/requirements.txt').text = 'PyYAML==5.3.1\n'
      PipelineHarness p1 = new PipelineHarness(root, ws)
      p1.extraPath = h.extraPath
      p1.env.DSO_AGENT = address
      String r1 = p1.runJenkinsfile(jf)
      assert r1 == 'FAILURE', p1.log.join('\n')
      assert p1.stagesRun == ['Scan', 'Gate']
      assert p1.callsOf('junit').size() == 1
      assert p1.callsOf('recordIssues').size() == 1
      assert p1.log.any { it.contains('dso found 1 critical') }
      new File(ws, '.dso-policy.yaml').text = """waivers:
  - rule: aws-access-key-id
    path: "app/*"
    reason: a revoked key kept as a test fixture
    owner: ci@example.com
    expires: 2099-12-31
  - advisory: PYSEC-2021-142
    reason: PyYAML loads only trusted files here
    owner: ci@example.com
    expires: 2099-12-31
"""
      PipelineHarness p2 = new PipelineHarness(root, ws)
      p2.extraPath = h.extraPath
      p2.env.DSO_AGENT = address
      String r2 = p2.runJenkinsfile(jf)
      assert r2 == 'SUCCESS', p2.log.join('\n')
      println 'PASS jenkinsfileMinimal'

      // pipelines/Jenkinsfile.reference, all twelve stages, as Jenkins
      // would run it: the demo application scanned, gated, built, signed,
      // verified, gated again and deployed under RASP to a host target;
      // stage 2 loads a vetted artifact, stage 3 stores the source.
      File ref = new File(repo, 'pipelines/Jenkinsfile.reference')
      ws = new File(tmp, 'reference')
      new File(ws, 'pipelines/demo').mkdirs()
      new File(ws, 'app').mkdirs()
      new File(repo, 'pipelines/demo/app').eachFile { File f ->
        if (f.isFile()) new File(ws, "app/${f.name}").bytes = f.bytes
      }
      new File(ws, 'pipelines/demo/rasp.yaml').text =
          new File(repo, 'pipelines/demo/rasp.yaml').text
      // The service runs as 65532, which must reach its release directory.
      File srv = File.createTempDir()
      srv.setExecutable(true, false)
      srv.setReadable(true, false)
      ServerSocket free = new ServerSocket(0)
      int servicePort = free.localPort
      free.close()
      PipelineHarness pr = new PipelineHarness(root, ws)
      pr.extraPath = h.extraPath
      pr.env.DSO_AGENT = address
      pr.env.BUILD_NUMBER = '7'
      pr.credentials['dso-signing-key'] = new File(tmp, 'cosign.key').text
      pr.credentials['dso-signing-password'] = 'jenkins-secret-pw'
      pr.credentials['dso-release-pub'] = new File(tmp, 'cosign.pub').text
      pr.params.LEVEL = '2'
      pr.params.LOAD_URL = stored.url
      pr.params.LOAD_DIGEST = stored.digest
      pr.params.ARTIFACT_STORE = "file://${tmp}/cas".toString()
      pr.params.DEPLOY_TARGET = "host://${srv}/greeter".toString()
      pr.params.PORT = servicePort.toString()
      try {
        String result = pr.runJenkinsfile(ref)
        assert result == 'SUCCESS', pr.log.join('\n')
        assert pr.stagesRun.size() == 15, pr.stagesRun  // 12, and 4 in parallel, 10 skipped
        assert pr.stagesRun.contains('Infrastructure as code')
        assert !pr.stagesRun.contains('10. Store signed image')  // no registry given
        assert pr.callsOf('cron')[0].args == ['H 2 * * *']
        assert pr.callsOf('upstream').size() == 1
        assert new File(ws, 'app/model.bin').text == new File(gate.decision).text
        assert pr.log.any { it.startsWith('deployed sha256:') }
        assert new URL("http://127.0.0.1:${servicePort}/healthz").text == 'ok\n'
        assert !pr.log.any { it.contains('jenkins-secret-pw') }
        println 'PASS jenkinsfileReference'
      } finally {
        Process stop = new ProcessBuilder(dsoctl, '--agent', address, 'deploy',
            'stop', '--target', "host://${srv}/greeter".toString())
            .redirectErrorStream(true).start()
        stop.inputStream.text
        stop.waitFor()
        srv.deleteDir()
      }
      return 0
    } catch (Throwable t) {
      println "FAIL endToEnd: ${t}"
      return 1
    } finally {
      agent?.destroy()
      agent?.waitFor()
      tmp.deleteDir()
    }
  }
}
