# fraglab corpus workload: Perl hashes, arrays, strings, regexes and sort.
# Run as: perl traces/workloads/perl_words.pl
use strict;
use warnings;

my @syll = qw(ka lo mi ne ru sa ti vo we xi yu zo);
my $seed = 12345;
sub rnd { $seed = ($seed * 1103515245 + 12345) % 2147483648; return $seed % $_[0]; }

my (%count, %by_len, @lines);
for my $i (1 .. 30000) {
	my $w = join '', map { $syll[rnd(scalar @syll)] } 1 .. (1 + rnd(5));
	$count{$w}++;
	push @{ $by_len{ length $w } }, $w;
	push @lines, "$i:$w:" . ('x' x rnd(40)) if $i % 3;
}
my @top = (sort { $count{$b} <=> $count{$a} || $a cmp $b } keys %count)[0 .. 9];
my $joined = join ',', @lines;
my @fields = split /,/, $joined;
my %rev = map { scalar(reverse $_) => 1 } grep { /ka|zo/ } @fields;
undef @lines;
delete $count{$_} for grep { $count{$_} < 2 } keys %count;
print scalar(@fields), ' ', scalar(keys %rev), ' ', scalar(keys %count), " @top[0..2]\n";
