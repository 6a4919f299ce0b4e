/* I/O hint verdicts and the signature probe loop on image files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "block/blockdev.h"
#include "block/signatures.h"

static void hints(void **state)
{
	assert_int_equal(io_hints_classify(262144, 3670016, 512), IO_HINTS_REPORTED);
	assert_int_equal(io_hints_classify(65536, 851968, 4096), IO_HINTS_REPORTED);
	assert_int_equal(io_hints_classify(512, 0, 512), IO_HINTS_NONE);
	assert_int_equal(io_hints_classify(512, 33553920, 512), IO_HINTS_BOGUS);
	assert_int_equal(io_hints_classify(4096, 33553920, 4096), IO_HINTS_BOGUS);
	assert_int_equal(io_hints_classify(65536, 33554432, 512), IO_HINTS_BOGUS);
	assert_int_equal(io_hints_classify(65536, 100000, 512), IO_HINTS_INCONSISTENT);
	assert_int_equal(io_hints_classify(65536, 4096, 512), IO_HINTS_INCONSISTENT);
	assert_int_equal(io_hints_classify(0, 65536, 512), IO_HINTS_INCONSISTENT);
	assert_string_equal(io_hints_verdict_to_string(IO_HINTS_BOGUS), "bogus");
}

static void empty_file_has_no_signature(void **state)
{
	char path[] = "/tmp/mp-sig-XXXXXX";
	int fd = mkstemp(path);
	struct signature_list l;

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 8 << 20), 0);
	assert_int_equal(signatures_probe_fd(fd, &l), 0);
	assert_int_equal(l.n, 0);
	assert_null(signature_list_filesystem(&l));
	signature_list_free(&l);
	close(fd);
	unlink(path);
}

static void missing_file_is_an_error(void **state)
{
	struct signature_list l;
	assert_true(signatures_probe_path("/nonexistent/mirrorprov", &l) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hints),
		cmocka_unit_test(empty_file_has_no_signature),
		cmocka_unit_test(missing_file_is_an_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
