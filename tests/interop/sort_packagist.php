<?php
// Compares versions of the file given (one per line) as OSV orders
// Packagist versions — PHP's version_compare after a leading "v" is dropped
// — and prints, after a header naming the tool, "A<TAB>B<TAB>RESULT" (-1, 0
// or 1) for every version against each of the next 30 in the file, in both
// orders. Pairs, not a sorted list: version_compare is not transitive
// (1.0-dev < 1.0-alpha < 1.0-# but 1.0-# < 1.0-dev), so no list is sorted
// by it.
$versions = array_values(array_filter(
    array_map('rtrim', file($argv[1])),
    fn($v) => $v !== '' && $v[0] !== '#'));
echo "# PHP " . PHP_VERSION . ": version_compare (a leading v dropped) of pairs: A, B, result\n";
$n = count($versions);
for ($i = 0; $i < $n; $i++) {
  for ($k = 1; $k <= 30 && $i + $k < $n; $k++) {
    $a = $versions[$i];
    $b = $versions[$i + $k];
    foreach ([[$a, $b], [$b, $a]] as [$x, $y]) {
      echo $x, "\t", $y, "\t", version_compare(preg_replace('/^[vV]/', '', $x), preg_replace('/^[vV]/', '', $y)), "\n";
    }
  }
}
