/**
 * A small pipeline harness: loads vars/*.groovy as Jenkins does (a script
 * per step, src/ on the class path) and gives them the steps they call —
 * sh, pwd, readJSON, readFile, writeFile, fileExists, withCredentials (with
 * file, string and usernamePassword bindings), withEnv,
 * error (throws), unstable, junit, recordIssues, sarif, archiveArtifacts,
 * env, currentBuild — recording every call so tests can assert on them.
 *
 * Two modes: `sh` answered by a closure the test gives (unit tests), or
 * run for real with /bin/sh in a working directory (end-to-end tests), the
 * files then being real files.
 */
class PipelineHarness {
  final File root                  // the library checkout
  final File workspace             // where sh runs and files live
  final List<Map> calls = []       // [step: 'sh', args: ...] in order
  final List<String> log = []      // what the build console would show
  final Map env = [:]
  final Map currentBuild = [result: 'SUCCESS']
  Closure shHandler                // (Map args) -> int; null: run for real
  String subdir = ''               // dir('x') { ... }: where sh runs now
  final Map params = [:]           // the Jenkinsfile's parameters
  String extraPath                 // put before PATH when sh runs for real
  // Jenkins credentials by id: text for secret text and file credentials,
  // [user, password] lists for username/password ones.
  final Map credentials = [:]

  PipelineHarness(File root, File workspace) {
    this.root = root
    this.workspace = workspace
  }

  private File file(String path) {
    File f = new File(path)
    return f.absolute ? f : new File(workspace, path)
  }

  Binding binding() {
    Binding b = new Binding()
    b.setVariable('env', env)
    b.setVariable('currentBuild', currentBuild)
    b.setVariable('sh', { Object a ->
      Map args = a instanceof Map ? (Map) a : [script: a.toString()]
      calls << [step: 'sh', args: args]
      log << "+ ${args.script}".toString()
      if (shHandler != null) return shHandler(args)
      ProcessBuilder pb = new ProcessBuilder('sh', '-c', args.script.toString())
          .directory(subdir ? new File(workspace, subdir) : workspace)
          .redirectErrorStream(true)
      env.each { k, v -> if (v != null) pb.environment().put(k.toString(), v.toString()) }
      if (extraPath) {
        pb.environment().put('PATH', extraPath + ':' + System.getenv('PATH'))
      }
      Process p = pb.start()
      p.inputStream.eachLine { log << it }
      int status = p.waitFor()
      // As Jenkins: without returnStatus a failing script fails the step.
      if (status != 0 && !args.returnStatus) {
        b.getVariable('error').call("script returned exit code ${status}".toString())
      }
      return status
    })
    b.setVariable('dir', { String path, Closure c ->
      String outer = subdir
      subdir = outer ? "${outer}/${path}".toString() : path
      try {
        c()
      } finally {
        subdir = outer
      }
    })
    b.setVariable('params', params)
    b.setVariable('pwd', { Map args = [:] ->
      args?.tmp ? workspace.path + '@tmp' : workspace.path
    })
    b.setVariable('fileExists', { String path ->
      calls << [step: 'fileExists', args: path]
      file(path).exists()
    })
    b.setVariable('readFile', { Map args ->
      calls << [step: 'readFile', args: args]
      file(args.file.toString()).text
    })
    b.setVariable('writeFile', { Map args ->
      calls << [step: 'writeFile', args: args]
      File f = file(args.file.toString())
      f.parentFile?.mkdirs()
      f.text = args.text.toString()
    })
    b.setVariable('readJSON', { Map args ->
      calls << [step: 'readJSON', args: args]
      new groovy.json.JsonSlurperClassic().parse(file(args.file.toString()))
    })
    b.setVariable('error', { String message ->
      calls << [step: 'error', args: message]
      log << "ERROR: ${message}".toString()
      currentBuild.result = 'FAILURE'
      throw new PipelineError(message)
    })
    b.setVariable('unstable', { String message ->
      calls << [step: 'unstable', args: message]
      log << "WARNING: ${message}".toString()
      if (currentBuild.result == 'SUCCESS') currentBuild.result = 'UNSTABLE'
    })
    for (String step : ['junit', 'recordIssues', 'archiveArtifacts']) {
      String name = step
      b.setVariable(name, { Map args ->
        calls << [step: name, args: args]
        return null
      })
    }
    b.setVariable('sarif', { Map args -> [tool: 'sarif'] + args })
    b.setVariable('withEnv', { List vars, Closure body ->
      calls << [step: 'withEnv', args: vars]
      Map saved = new HashMap(env)
      for (String v : vars) {
        int eq = v.indexOf('=')
        env[v.substring(0, eq)] = v.substring(eq + 1)
      }
      try { return body() } finally { env.clear(); env.putAll(saved) }
    })
    // Bindings as the Credentials Binding plugin makes them: the secret in
    // environment variables for the body only (a file credential as a
    // temporary file), and masked in the console.
    b.setVariable('file', { Map a -> [kind: 'file'] + a })
    b.setVariable('string', { Map a -> [kind: 'string'] + a })
    b.setVariable('usernamePassword', { Map a -> [kind: 'usernamePassword'] + a })
    b.setVariable('withCredentials', { List bindings, Closure body ->
      calls << [step: 'withCredentials', args: bindings]
      Map saved = new HashMap(env)
      List<File> files = []
      for (Map c : bindings) {
        def value = credentials[c.credentialsId]
        if (value == null) {
          throw new PipelineError("Could not find credentials entry with ID '${c.credentialsId}'")
        }
        if (c.kind == 'file') {
          File f = File.createTempFile('secret', '.key')
          f.text = value.toString()
          files << f
          env[c.variable] = f.path
        } else if (c.kind == 'string') {
          env[c.variable] = value.toString()
        } else {
          env[c.usernameVariable] = value[0].toString()
          env[c.passwordVariable] = value[1].toString()
        }
      }
      try {
        return body()
      } finally {
        env.clear()
        env.putAll(saved)
        files*.delete()
      }
    })
    return b
  }

  // As Jenkins compiles library code and Jenkinsfiles: NonCPS and Library
  // imported everywhere, src/ on the class path.
  private GroovyClassLoader loader() {
    def config = new org.codehaus.groovy.control.CompilerConfiguration()
    config.addCompilationCustomizers(
        new org.codehaus.groovy.control.customizers.ImportCustomizer()
            .addImports('com.cloudbees.groovy.cps.NonCPS',
                        'org.jenkinsci.plugins.workflow.libs.Library'))
    GroovyClassLoader loader = new GroovyClassLoader(getClass().classLoader, config)
    loader.addClasspath(new File(root, 'src').path)
    return loader
  }

  /** The step `name` (vars/<name>.groovy), ready to call. */
  Script step(String name) {
    Class cls = loader().parseClass(new File(root, "vars/${name}.groovy"))
    return (Script) cls.getDeclaredConstructor(Binding).newInstance(binding())
  }

  /**
   * Runs a declarative Jenkinsfile: `environment` into env, then each
   * stage's `steps` (and `script` blocks) in order with the library's steps
   * callable by name; a failed stage skips the rest; `post` conditions
   * (always, success, unstable, failure) at the end. Returns the build
   * result; stage names run go to `stagesRun`.
   */
  final List<String> stagesRun = []

  String runJenkinsfile(File jenkinsfile) {
    Binding b = binding()
    for (File f : new File(root, 'vars').listFiles()) {
      if (!f.name.endsWith('.groovy')) continue
      String name = f.name - '.groovy'
      b.setVariable(name, { Map args = [:] -> step(name).call(args) })
    }
    b.setVariable('_', null)
    b.setVariable('echo', { String m -> calls << [step: 'echo', args: m]; log << m })
    boolean failed = false
    Closure run = { Closure c, Object delegate = null ->
      if (delegate != null) {
        c.delegate = delegate
        c.resolveStrategy = Closure.DELEGATE_FIRST
      }
      c()
    }
    b.setVariable('pipeline', { Closure c -> run(c) })
    b.setVariable('agent', { Object spec -> calls << [step: 'agent', args: spec] })
    b.setVariable('label', { String l -> [label: l] })
    b.setVariable('environment', { Closure c ->
      Map vars = [:]
      run(c, vars)
      vars.each { k, v -> env[k.toString()] = v?.toString() }
    })
    // Directives recorded as they are declared: triggers, options.
    Closure record = { String block ->
      return { Closure c ->
        Map names = [:]
        for (String n : ['pollSCM', 'cron', 'upstream', 'githubPush',
                         'timestamps', 'timeout', 'disableConcurrentBuilds',
                         'buildDiscarder', 'logRotator', 'ansiColor',
                         'skipDefaultCheckout']) {
          String step = n
          names[n] = { Object a = null ->
            List args = a == null ? [] : [a]
            calls << [step: step, args: args, in: block]
            return [(step): args]
          }
        }
        run(c, new Directives(names))  // (a Map delegate cannot take calls)
      }
    }
    b.setVariable('triggers', record('triggers'))
    b.setVariable('options', record('options'))
    b.setVariable('parameters', { Closure c ->
      Closure define = { Map p, Object dflt ->
        calls << [step: 'parameter', args: p]
        if (!params.containsKey(p.name)) params[p.name] = dflt
      }
      run(c, new Directives(
          string : { Map p -> define(p, p.defaultValue ?: '') },
          choice : { Map p -> define(p, p.choices ? p.choices[0] : '') },
          booleanParam: { Map p -> define(p, p.defaultValue ?: false) }))
    })
    List<Map> stageStack = []
    b.setVariable('stages', { Closure c -> run(c) })
    b.setVariable('stage', { String name, Closure c ->
      if (failed) return
      stageStack.add([name: name, skip: false])
      try {
        run(c)
      } catch (PipelineError e) {
        failed = true
      } finally {
        Map s = stageStack.remove(stageStack.size() - 1)
        if (!s.skip) stagesRun << name
      }
    })
    b.setVariable('when', { Closure c ->
      List<Boolean> conditions = []
      run(c, new Directives(expression: { Closure e -> conditions << (e() as boolean) }))
      stageStack[-1].skip = conditions.contains(false)
    })
    b.setVariable('parallel', { Closure c ->  // its stages, one by one
      if (!stageStack[-1].skip) run(c)
    })
    b.setVariable('steps', { Closure c -> if (!stageStack[-1].skip) run(c) })
    b.setVariable('script', { Closure c -> run(c) })
    b.setVariable('post', { Closure c ->
      Map conditions = [:]
      run(c, new Directives(always: { Closure x -> conditions.always = x },
                         success: { Closure x -> conditions.success = x },
                         unstable: { Closure x -> conditions.unstable = x },
                         failure: { Closure x -> conditions.failure = x }))
      String r = currentBuild.result
      if (r == 'SUCCESS' && conditions.success) conditions.success()
      if (r == 'UNSTABLE' && conditions.unstable) conditions.unstable()
      if (r == 'FAILURE' && conditions.failure) conditions.failure()
      if (conditions.always) conditions.always()
    })
    Class cls = loader().parseClass(jenkinsfile)
    Script s = (Script) cls.getDeclaredConstructor(Binding).newInstance(b)
    s.run()
    return currentBuild.result
  }

  List<Map> callsOf(String step) { calls.findAll { it.step == step } }
}
