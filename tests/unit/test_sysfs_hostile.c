/* Integer sysfs attributes as raid-inspect reads them: plain decimal only. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "block/blockdev.h"

static void plain_decimal_only(void **state)
{
	uint64_t v = 7;

	assert_int_equal(sysfs_parse_u64("262144\n", &v), 0);
	assert_int_equal(v, 262144);
	assert_int_equal(sysfs_parse_u64("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(sysfs_parse_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	/* strtoull() would have read these as 2^64-1, 512 and 0 */
	assert_int_equal(sysfs_parse_u64("-1", &v), -EINVAL);
	assert_int_equal(sysfs_parse_u64(" 512", &v), -EINVAL);
	assert_int_equal(sysfs_parse_u64("+0", &v), -EINVAL);
	assert_int_equal(sysfs_parse_u64("0x200", &v), -EINVAL);
	assert_int_equal(sysfs_parse_u64("18446744073709551616", &v), -ERANGE);
	assert_int_equal(sysfs_parse_u64("", &v), -EINVAL);
	assert_int_equal(sysfs_parse_u64(NULL, &v), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_decimal_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
