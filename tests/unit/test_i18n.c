/* Translations: the compiled catalogs load, Urdu is the default, the
 * language switches at run time (and back), tags parse. */
#include "check.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    REQUIRE(argc == 2, "usage: test_i18n LOCALEDIR");
    CHECK(i18n_init("/nonexistent") == -1, "init with a missing catalog succeeded");
    REQUIRE(i18n_init(argv[1]) == 0, "i18n_init(%s) failed", argv[1]);
    CHECK(i18n_lang() == I18N_UR, "Urdu is not the default");
    CHECK(!strcmp(_("Start"), "شروع کریں"), "Urdu 'Start' is '%s'", _("Start"));
    CHECK(!strcmp(_("Leave now"), "فوراً باہر نکلیں"), "Urdu 'Leave now' is '%s'", _("Leave now"));
    CHECK(i18n_set_lang(I18N_EN) == 0, "switch to English failed");
    CHECK(!strcmp(_("Start"), "Start"), "English 'Start' is '%s'", _("Start"));
    CHECK(i18n_set_lang(I18N_UR) == 0, "switch back to Urdu failed");
    CHECK(!strcmp(_("Start"), "شروع کریں"), "runtime switch back to Urdu gave '%s'", _("Start"));
    CHECK(!strcmp(_("not a UI string"), "not a UI string"), "unknown msgid not passed through");
    CHECK(i18n_set_lang(I18N_COUNT) == -1, "bad language accepted");
    CHECK(i18n_rtl(I18N_UR) && !i18n_rtl(I18N_EN), "directions");
    CHECK(!strcmp(i18n_tag(I18N_UR), "ur") && !strcmp(i18n_tag(I18N_EN), "en"), "tags");
    CHECK(!strcmp(i18n_native_name(I18N_UR), "اردو"), "Urdu's own name");
    CHECK(i18n_parse("ur") == I18N_UR && i18n_parse("ur_PK.UTF-8") == I18N_UR, "parse ur");
    CHECK(i18n_parse("en-GB") == I18N_EN && i18n_parse("en") == I18N_EN, "parse en");
    CHECK(i18n_parse("fa") == -1 && i18n_parse("urd") == -1 && i18n_parse(NULL) == -1, "parse junk");
    return check_exit();
}
