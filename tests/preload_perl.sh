#!/bin/bash
# preload_perl: perl (Debian's is built on the system malloc) running a
# hash and string workload on each flmalloc policy, with output identical
# to the run on the C library's malloc.
source "$(dirname "$0")/lib/common.sh"
PERL=/usr/bin/perl
require_program "$PERL"
require_build
make_workdir

cat >"$WORK/workload.pl" <<'PL'
use strict;
use warnings;
use Digest::MD5 qw(md5_hex);

my %h;
$h{"k$_"} = join(",", map { $_ * 7 } 1 .. ($_ % 12)) for 0 .. 10000;
my $total = 0;
$total += length($h{$_}) for keys %h;
delete $h{"k$_"} for grep { $_ % 3 == 0 } 0 .. 10000;
$h{"again$_"} = "v" x ($_ % 200) for 0 .. 3000;
my @first = (sort keys %h)[0 .. 4];
print "hash $total ", scalar(keys %h), " @first\n";

my $s = "";
$s .= chr(65 + $_ % 26) x ($_ % 17) for 0 .. 8000;
my %count;
$count{$_}++ for split //, $s;
print "string ", length($s), " ", md5_hex($s), "\n";
print join(" ", map { "$_=$count{$_}" } sort keys %count), "\n";

my @words = map { scalar reverse("w$_") } 1 .. 8000;
my @sorted = sort { $a cmp $b } @words;
print "sort $sorted[0] $sorted[-1] ", md5_hex(join("", @sorted)), "\n";
PL

perl_workload() {
	PERL_HASH_SEED=0 "$PERL" "$WORK/workload.pl"
}

compare_with_every_policy perl "perl" perl_workload
finish
