/**
 * The delegate of a declarative block (triggers, options, parameters,
 * when, post): its directives as closures called like methods; anything
 * else it does not know, so the Jenkinsfile's own names (params, env, ...)
 * resolve as usual.
 */
class Directives extends Expando {
  Directives(Map closures) { super(closures) }

  Object getProperty(String name) {
    if (getProperties().containsKey(name)) return super.getProperty(name)
    throw new MissingPropertyException(name, Directives)
  }

  Object invokeMethod(String name, Object args) {
    if (getProperties().containsKey(name)) return super.invokeMethod(name, args)
    throw new MissingMethodException(name, Directives, args as Object[])
  }
}
