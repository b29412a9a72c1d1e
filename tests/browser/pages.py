"""Page objects for the main flow, in the manner of SecureDrop's app navigators
(``securedrop/tests/functional/app_navigators/``): one navigator that knows how to get
somewhere, and one object per page that knows how to use it.

Pages are driven the way a person reads them: by headings, field labels, roles and button
texts in the language shown (Chinese unless switched), never by CSS paths. The only test id
used is the stage badge, which has no label of its own.
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

CASE_NUMBER = re.compile(r"QS-(\d{4})-\d{6}")


def label(text: str) -> re.Pattern[str]:
    """A field's label exactly, whether or not it carries the required-field star."""
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$")


def choice(scope: Page | Locator, text: str) -> Locator:
    """The select labelled ``text`` (its label's text also holds the options, so the
    accessible name, which holds only the label, is what finds it)."""
    return scope.get_by_role("combobox", name=text, exact=True)


def section(page: Page, heading: str) -> Locator:
    """The card headed ``heading`` (its own ``h2``, not a nested one)."""
    return page.locator("section").filter(
        has=page.get_by_role("heading", name=heading, exact=True, level=2)
    )


class Navigator:
    """Gets a user somewhere in the app; hands back the page object of where they land."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def log_in(self, email: str, password: str) -> None:
        self.page.goto("/login")
        expect(self.page.get_by_role("heading", name="登录", level=1)).to_be_visible()
        self.page.get_by_label(label("邮箱")).fill(email)
        self.page.get_by_label(label("密码")).fill(password)
        self.page.get_by_role("button", name="登录", exact=True).click()
        expect(self.page.get_by_role("button", name="退出")).to_be_visible()

    def open_new_case(self) -> IntakePage:
        self.page.get_by_role("navigation").get_by_role("link", name="新建案件").click()
        return IntakePage(self.page)

    def switch_language(self, language: str) -> None:
        """Click the language switch in the header (``English`` or ``中文``)."""
        self.page.get_by_role("button", name=language, exact=True).click()
        expect(self.page.get_by_role("button", name=language, exact=True)).to_have_count(0)


class IntakePage:
    """新建案件: the intake form."""

    def __init__(self, page: Page) -> None:
        self.page = page
        expect(page.get_by_role("heading", name="新建案件", level=1)).to_be_visible()

    # -- parts of the form -----------------------------------------------------------------

    @property
    def case_part(self) -> Locator:
        return section(self.page, "案件")

    @property
    def debtor_part(self) -> Locator:
        return section(self.page, "债务人")

    def claim_part(self, n: int) -> Locator:
        """The fieldset of the n-th claim (0-based; its legend says 债权 n+1)."""
        return section(self.page, "债权").get_by_role("group", name=f"债权 {n + 1}", exact=True)

    def debtor_field(self, text: str) -> Locator:
        return self.debtor_part.get_by_label(label(text))

    def claim_field(self, n: int, text: str) -> Locator:
        return self.claim_part(n).get_by_label(label(text))

    # -- filling in ------------------------------------------------------------------------

    def choose_creditor(self, name: str) -> None:
        choice(self.case_part, "债权人").select_option(label=name)

    def fill_debtor(
        self, *, name: str, identifier: str, legal_representative: str = "", phone: str = ""
    ) -> None:
        self.debtor_field("名称").fill(name)
        self.debtor_field("统一社会信用代码或身份证号码").fill(identifier)
        self.debtor_field("法定代表人").fill(legal_representative)
        self.debtor_field("电话").fill(phone)

    def fill_claim(
        self,
        n: int,
        *,
        contract_ref: str,
        title: str,
        principal: str,
        due_date: str,
        signed_on: str = "",
    ) -> None:
        self.claim_field(n, "合同编号").fill(contract_ref)
        self.claim_field(n, "合同名称").fill(title)
        self.claim_field(n, "本金（元）").fill(principal)
        self.claim_field(n, "签订日期").fill(signed_on)
        self.claim_field(n, "到期日").fill(due_date)

    # -- sending ---------------------------------------------------------------------------

    def _submit(self) -> None:
        self.page.get_by_role("button", name="登记案件").click()

    def register(self) -> CaseDetailPage:
        """Submit a valid form: the browser lands on the new case's page."""
        self._submit()
        return CaseDetailPage(self.page)

    def register_refused(self) -> IntakePage:
        """Submit a form the app refuses: the same page again, saying what to correct."""
        self._submit()
        expect(self.page.get_by_role("alert")).to_contain_text("请更正以下错误。")
        return IntakePage(self.page)


class CaseDetailPage:
    """The case file: ``QS-<year>-<number> · <debtor>``, its facts, actions and timeline."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", level=1)
        expect(self.heading).to_have_text(re.compile(rf"^{CASE_NUMBER.pattern} · "))

    def case_number(self) -> str:
        return self.heading.inner_text().split(" · ", 1)[0]

    def flash(self) -> Locator:
        return self.page.get_by_role("status")

    def stage(self) -> Locator:
        return self.page.get_by_test_id("stage")

    def log_contact(
        self,
        *,
        channel: str,
        summary: str,
        debtor_said: str,
        promised_amount: str,
        promised_date: str,
    ) -> CaseDetailPage:
        """记录进展 → a collection contact (催收记录) with what the debtor said and promised."""
        form = section(self.page, "记录进展")
        choice(form, "类型").select_option(label="催收记录")
        choice(form, "催收方式（催收记录必填）").select_option(label=channel)
        form.get_by_label(label("情况说明")).fill(summary)
        form.get_by_label(label("债务人答复")).fill(debtor_said)
        form.get_by_label(label("承诺还款金额（元）")).fill(promised_amount)
        form.get_by_label(label("承诺还款日期")).fill(promised_date)
        form.get_by_role("button", name="记入进展").click()
        return CaseDetailPage(self.page)

    def timeline(self, heading: str = "案件进展") -> Locator:
        return section(self.page, heading)

    def timeline_entry(self, text: str, heading: str = "案件进展") -> Locator:
        return self.timeline(heading).get_by_role("listitem").filter(has_text=text)
