// Sorts the versions of the file given (one per line) with maven-artifact's
// ComparableVersion and prints them ascending, one class of equal versions
// per line (tab-separated), after a header naming the tool.
import org.apache.maven.artifact.versioning.ComparableVersion

def versions = new File(args[0]).readLines().findAll { it && !it.startsWith('#') }
def sorted = versions.collect { [it, new ComparableVersion(it)] }.sort { a, b -> a[1] <=> b[1] }
println "# ${args[1]}: ComparableVersion order, ascending; a line holds versions that compare equal (tab-separated)"
def line = []
def last = null
sorted.each { v ->
  if (last != null && last.compareTo(v[1]) != 0) { println line.join('\t'); line = [] }
  line << v[0]
  last = v[1]
}
if (line) println line.join('\t')
