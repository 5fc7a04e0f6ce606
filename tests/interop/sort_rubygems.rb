# Sorts the versions of the file given (one per line) with RubyGems'
# Gem::Version and prints them ascending, one class of equal versions per
# line (tab-separated), after a header naming the tool. Versions Gem::Version
# refuses are left out and listed on stderr.
versions = File.readlines(ARGV[0], chomp: true).reject { |v| v.empty? || v.start_with?('#') }
parsed = versions.filter_map do |v|
  [Gem::Version.new(v), v]
rescue ArgumentError
  warn "not a gem version: #{v}"
  nil
end
parsed.sort_by! { |p| p[0] }
puts "# RubyGems #{Gem::VERSION} (Ruby #{RUBY_VERSION}): Gem::Version order, ascending; a line holds versions that compare equal (tab-separated)"
line = []
last = nil
parsed.each do |g, v|
  if last && (last <=> g) != 0
    puts line.join("\t")
    line = []
  end
  line << v
  last = g
end
puts line.join("\t") unless line.empty?
