#!/usr/bin/env python3
"""make-po.py — regenerate ui/po/zh_CN.po: msgids extracted by xgettext from
ui/*.c (plus the dynamic ids listed in EXTRA: words the core sends as ids),
with the Chinese of TR, else the translation already in the catalogue. The
catalogue's order is kept: ids already there stay where they are, new ones
are added at the end (branches that add words merge cleanly).
Run from the source root: python3 ui/po/make-po.py"""
import glob, os, re, subprocess, sys

EXTRA = [
 "coupon value over the offline limit", "too many offline coupons this hour",
 "too much unsettled offline value",
 "offline: this code is not in the coupon list", "enter the amount first",
 "the sale is full", "no staff yet: run quan staff add",
 "cannot number the Z report",
 "override not available: coupon stays rejected", "scanner back",
 "scanner gone: check the cable", "Z report", "X report", "Z number",
 "Period", "Terminal", "Coupons by state (count, discount):",
 "Redeemed (confirmed + offline)", "sale NOT recorded: give no discount",
 "Accepted offline", "Offline exposure (unsettled)",
 "Outbox (to settle)", "Journal entries", "Journal chain head",
 "Approved by", "confirmed", "accepted_offline", "pending", "unknown",
 "rejected", "return_pending", "returned", "conflict",
 "voided_not_returnable", "Voided, not returnable (card)", "Voids",
 "Hub conflicts (other lanes)",
 "too long for a coupon code",
 "Voided sale", "WeChat Pay (vouchers)", "Cash / other tender",
 "Charges failed / not settled",
 "Refunded (WeChat / cash / other)", "Refunds open / abnormal",
 "Reconcile: differences with WeChat",
 "Last scans, newest first:", "No scans yet", "No sales yet today",
 "Config file", "Store", "Timezone", "WeChat Pay URL", "Online wait",
 "Offline: max one coupon", "Offline: max per hour",
 "Offline: max exposure", "Offline: max cache age",
 "Offline: default policy", "Code", "Kind", "Type", "Stock / card", "Name",
 "State", "Reason", "Discount", "Request no", "Offline decision",
 "Hand over the item, then confirm", "no definition", "not stackable",
 "coupon unavailable", "needs item price", "no benefit",
 "Manager (void, Z)", "code", "card DISCOUNT", "card GIFT",
 "card GROUPON", "card GENERAL_COUPON", "card consumed", "not_yet_valid",
 "outside_window", "stock_paused", "deactivated", "unknown code",
 "Conflicts (used elsewhere)", "Rejected",
 "coupon unknown", "not usable", "not usable now", "deleted or gifting",
 "invalid code", "card invalid", "user unknown", "bad request",
 "sign error", "config error", "quota exceeded", "quota", "rate limited",
 "wechat busy", "token invalid", "card id missing", "Manager 9001, PIN 9999", "valid NORMAL", "valid DISCOUNT", "valid EXCHANGE", "card CASH", "used", "below_minimum", "payment code", "garbage",
 "offline loss", "deciding", "to pay", "completed", "voided",
 "Offline losses (refused by WeChat)", "Offline loss (refused by WeChat)",
 "wrong item", "customer changed mind", "offline risk accepted", "end of day",
 "a payment code needs WeChat: take cash or another tender",
 "this sale already has a payment",
 "not taken: check the amount or the code",
 "a payment is already out",
 "less cash than is due",
 "a reference of 1 to 64 characters",
 "not a WeChat payment code",
 "pay: password", "pay: not enough",
 "product coupon: pay by WeChat payment code, not cash",
 "a product coupon is in use in another sale",
 "product coupon", "product: used", "product: expired",
 "product: confirming", "product: other user", "product NORMAL",
 "product DISCOUNT"
]

TR = {
 "Product coupon refused by WeChat after the payment: collect %s more, or a manager voids the sale": "商品券在付款后被微信拒绝：请再收 %s，或由店长作废本单",
 "product coupon: pay by WeChat payment code, not cash": "商品券须用微信付款码支付，不能收现金",
 "a product coupon is in use in another sale": "商品券正在另一笔交易中使用",
 "product coupon": "商品券",
 "product: used": "商品券（已核销）",
 "product: expired": "商品券（已过期）",
 "product: confirming": "商品券（待确认发放）",
 "product: other user": "商品券（非付款顾客）",
 "product NORMAL": "商品券 满减",
 "product DISCOUNT": "商品券 折扣",
 "Sale %s was paid: refunding it; it is voided once the money is back": "交易 %s 已付款：正在退款，退款成功后作废",
 "Sale %s refunded and voided": "交易 %s 已退款并作废",
 "Sale complete; receipt not printed (%s): Ctrl-P prints it again": "交易已完成；小票未打印（%s）：按 Ctrl-P 重新打印",
 "Report not printed (%s): Ctrl-P to try again": "报表未打印（%s）：按 Ctrl-P 重试",
 "no receipt to print again": "没有可重打的小票",
 "cannot print this": "无法打印",
 "no printer configured": "未配置打印机",
 "Sale %s NOT refunded (%s): it stays paid": "交易 %s 未退款（%s）：仍为已付款",
 "pay: password": "付款码（输密码）",
 "pay: not enough": "付款码（余额不足）",
 "Waiting for WeChat (Esc cancels)": "等待微信（Esc 取消）",
 "Now show your WeChat payment code to the scanner": "请向扫码器出示微信付款码",
 "Scan the customer's payment code, or ^T cash, ^O other tender": "扫描顾客付款码，或 ^T 现金，^O 其他支付方式",
 "Voucher": "代金券",
 "no-cash": "免充值",
 "pre-funded": "预充值",
 "Customer paid (WeChat)": "顾客实付（微信）",
 "Cash tendered": "收现金",
 "CHANGE": "找零",
 "Other tender": "其他支付方式",
 "Type the cash handed over; the change is shown": "输入顾客付的现金，显示找零",
 "Type the reference of the other tender (card slip, voucher number)": "输入其他支付方式的凭证号（刷卡单、券号）",
 "Scan the customer's payment code": "扫描顾客付款码",
 "%u s": "%u 秒",
 "CHARGING WECHAT": "正在微信收款",
 "CUSTOMER IS ENTERING THE PASSWORD": "顾客正在输入密码",
 "CANCELLING: REVERSING THE PAYMENT": "正在取消：撤销支付",
 "Esc cancels (the payment is reversed)": "Esc 取消（撤销支付）",
 "PAID": "已付款",
 "reversed": "已撤销",
 "failed": "失败",
 "NOT PAID": "未付款",
 "Scan another payment code, or ask the staff": "请扫描其他付款码，或请工作人员协助",
 "Scan another code, ^T cash, ^O other; Esc gives the coupons back": "扫描其他付款码，^T 现金，^O 其他；Esc 退回优惠券",
 "PAYMENT NOT KNOWN": "支付结果未知",
 "do not charge again: quan sync settles it": "请勿重复收款：由 quan sync 处理",
 "Payment": "支付",
 "Scan the payment code": "扫描付款码",
 "Cash tendered (yuan)": "收现金（元）",
 "Reference": "凭证号",
 "a payment code needs WeChat: take cash or another tender": "付款码需要微信：请收现金或其他支付方式",
 "this sale already has a payment": "此交易已有支付",
 "not taken: check the amount or the code": "未受理：请检查金额或付款码",
 "a payment is already out": "支付正在进行中",
 "less cash than is due": "现金少于应付金额",
 "a reference of 1 to 64 characters": "凭证号须为 1 至 64 个字符",
 "not a WeChat payment code": "不是微信付款码",
 "ONLINE": "在线", "OFFLINE": "离线", "NO SYNC": "未同步",
 "value known after WeChat answers": "优惠金额待微信答复后确定",
 "voided_not_returnable": "已作废，不可退回",
 "Voids": "作废", "Voided sale": "已作废交易",
 "Hub conflicts (other lanes)": "门店中心冲突（其他收银台）",
 "WeChat Pay (vouchers)": "微信支付（代金券）",
 "Cash / other tender": "现金 / 其他支付", "Charges failed / not settled": "扣款失败 / 未定",
 "Refunded (WeChat / cash / other)": "已退款（微信 / 现金 / 其他）",
 "Refunds open / abnormal": "退款处理中 / 异常",
 "Reconcile: differences with WeChat": "对账：与微信账单不符",
 "F11: more codes (%d-%d of %d)": "F11：更多代码（第 %d-%d 个，共 %d 个）",
 "F11: more %d-%d/%d": "F11：更多代码 %d-%d/%d",
 "Voided, not returnable (card)": "已作废但不可退回（卡券）",
 "Sale %s voided; the other coupons are being returned. Not returnable (card coupon already used at WeChat): %s":
 "第 %s 笔已作废，其余优惠券正在退回。无法退回（卡券已在微信核销）：%s",
 "Sale %s voided. Not returnable (card coupon already used at WeChat): %s":
 "第 %s 笔已作废。无法退回（卡券已在微信核销）：%s",
 "CONNECTING...": "连接中…", "CONFIG ERROR": "配置错误",
 "CLOCK WRONG": "时钟错误", "TLS ERROR": "证书错误",
 "WeChat's certificate is refused (check ca_file and the clock): %s":
 "微信的证书被拒绝（请检查 ca_file 和时钟）：%s",
 "A sale is open: press F10 (or Ctrl-C) again to quit and drop it, any other key to go on":
 "有未完成的交易：再按 F10（或 Ctrl-C）退出并放弃该交易，按其他键继续",
 "too long for a coupon code": "太长，不是优惠券码",
 "Till clock wrong, WeChat refuses its requests: %s": "收银机时钟不准，微信拒绝其请求：%s",
 "Configuration error: %s": "配置错误：%s",
 "valid": "可用", "pending": "处理中", "CONFIRMED": "已核销",
 "ACCEPTED OFFLINE": "离线受理", "waiting for WeChat": "等待微信确认",
 "REJECTED": "拒绝", "return pending": "退券处理中", "returned": "已退券",
 "CONFLICT": "冲突", "needs manager": "需店长批准",
 "Log in": "登录", "New sale": "新交易", "Scan coupons": "扫描优惠券",
 "Sale result": "交易结果", "Manager approval": "店长批准",
 "Today's sales": "今日交易", "Report": "报表",
 "Scanner diagnostics": "扫码诊断", "Settings (read-only)": "设置（只读）",
 "Help": "帮助", "Coupon detail": "券详情", "cashier": "收银员",
 "manager": "店长", "Void the sale": "作废交易",
 "Accept over the offline limit": "超出离线限额受理",
 "End of day (Z report)": "日结（Z 报表）", "Leave the terminal": "退出终端",
 "never": "从未", "%llds": "%lld秒", "%lldm": "%lld分钟", "%lldh": "%lld小时",
 "%lldd": "%lld天", "already used at %s": "已于 %s 使用",
 "already used": "已使用", "needs %s, basket %s": "需满 %s，本单 %s",
 "expired at %s": "已于 %s 过期", "expired": "已过期",
 "not valid before %s": "%s 起可用", "not valid yet": "尚未生效",
 "not valid at this day or hour": "当前日期或时段不可用",
 "not a coupon this till knows": "本机不认识的券码",
 "this is a payment code, not a coupon: take payment at the payment terminal":
   "这是付款码，不是优惠券：请在收款机收款",
 "not a readable coupon code": "无法识别的券码",
 "already in this sale": "本单已扫过", 
 "too many of this coupon in one sale": "本单此券数量超限",
 "offline: this coupon can only be used online": "离线：此券只能在线核销",
 "offline limit reached: %s": "已达离线限额：%s",
 "offline limit reached": "已达离线限额",
 "offline: coupon list too old to decide": "离线：券信息太旧，无法判断",
 "this coupon batch is not active": "该批次未激活",
 "WeChat: %s": "微信：%s", "Wrong id or PIN": "工号或密码错误",
 "A manager's PIN is needed": "需要店长密码",
 "Amount: yuan with at most two decimals, e.g. 88.50":
   "金额：以元为单位，最多两位小数，例如 88.50",
 "Scan a coupon first": "请先扫券",
 "Sale %s voided; coupons are being returned": "交易 %s 已作废，正在退券",
 "Approved by %s": "由 %s 批准", "Cancelled": "已取消",
 "Too many wrong PINs: wait a minute": "密码错误次数过多，请稍候",
 "Error: %s": "错误：%s", "A reason is needed": "需要填写原因",
 "No sale to void": "没有可作废的交易",
 "Z report %s written; day closed": "Z 报表 %s 已生成，日结完成",
 "Manager id": "店长工号", "Manager PIN": "店长密码",
 "Reason (1 wrong item, 2 customer changed mind, 3 offline risk ok, 4 end of day, or words)":
   "原因（1 商品错误，2 顾客改主意，3 接受离线风险，4 日结，或直接输入）",
 "Cashier id": "收银员工号", "PIN": "密码", "Amount (yuan)": "金额（元）",
 "Scan or type a coupon code": "扫描或输入券码", "Reason": "原因",
 "Search code or sale": "搜索券码或交易号", "logged out": "未登录",
 "outbox": "待同步", "cache": "缓存", "New": "新单", "Sales": "交易",
 "X-rep": "X报表", "Z-rep": "Z报表", "Scans": "扫码", "Setup": "设置",
 "Void": "作废", "Logout": "登出", "Quit": "退出", " Esc back": " Esc 返回",
 "Demo codes (type, Enter)": "演示券码（输入后回车）", "[typed]": "[手输]",
 "Sale": "交易", "Amount": "金额", "(no coupons yet)": "（尚未扫券）",
 "Discount": "优惠", "DUE": "应付",
 "Log in with your id and PIN.": "用工号和密码登录。",
 "Enter the amount, then scan coupons (or type the code and Enter).":
   "输入金额，再扫券（或输入券码后回车）。",
 "Enter on an empty scan field redeems the coupons.": "扫码栏为空时回车即核销。",
 "Up/Down select a coupon, Tab shows it, Del removes it.":
   "上下键选券，Tab 查看，Del 删除。",
 "F2 new sale, F3 today's sales, F4 X report, F5 Z report.":
   "F2 新交易，F3 今日交易，F4 X 报表，F5 Z 报表。",
 "F6 scanner diagnostics, F7 settings, F8 void (manager).":
   "F6 扫码诊断，F7 设置，F8 作废（需店长）。",
 "F9 log out, F10 quit, Esc goes back.": "F9 登出，F10 退出，Esc 返回。",
 "Verdicts: CONFIRMED (1 beep), ACCEPTED OFFLINE (2 beeps), REJECTED (3 beeps).":
   "结果：已核销（响一声），离线受理（响两声），拒绝（响三声）。",
 "Coupon redemption terminal": "优惠券核销终端",
 "Enter your cashier id, then your PIN.": "请输入收银员工号，然后输入密码。",
 "A manager must approve:": "需要店长批准：", "Esc cancels.": "Esc 取消。",
 "DEMO - simulator, not real WeChat": "演示 — 模拟器，非真实微信",
 " SELF-SERVICE": " 自助",
 "Enter the amount to pay, then scan your coupon": "请输入应付金额，然后扫描您的优惠券",
 "coupon value over the offline limit": "券面额超过离线上限",
 "too many offline coupons this hour": "本小时离线券数已满",
 "too much unsettled offline value": "未结算离线金额已满",
 "offline: this code is not in the coupon list": "离线：券码不在本地券库",
 "enter the amount first": "请先输入金额", "the sale is full": "本单已满",
 "no staff yet: run quan staff add": "尚无员工：请运行 quan staff add",
 "cannot number the Z report": "无法为 Z 报表编号",
 "override not available: coupon stays rejected": "无法越权受理：此券仍被拒绝",
 "scanner back": "扫码枪已恢复", "scanner gone: check the cable": "扫码枪断开：请检查连线",
 "Z report": "Z 报表", "X report": "X 报表", "Z number": "Z 编号",
 "Period": "期间", "Terminal": "终端",
 "Coupons by state (count, discount):": "按状态统计（张数，优惠）：",
 "Redeemed (confirmed + offline)": "已核销合计（含离线受理）",
 "sale NOT recorded: give no discount": "交易未记录：不要给优惠", "Accepted offline": "离线受理",
 "Offline exposure (unsettled)": "离线风险（未结算）",
 "Outbox (to settle)": "待同步", "Journal entries": "日志条数",
 "Journal chain head": "日志链头", "Approved by": "批准人",
 "confirmed": "已核销", "accepted_offline": "离线受理",
 "unknown": "待确认", "rejected": "拒绝", "return_pending": "退券处理中",
 "conflict": "冲突", "Last scans, newest first:": "最近扫码（最新在前）：",
 "No scans yet": "尚无扫码", "No sales yet today": "今日尚无交易",
 "Config file": "配置文件", "Store": "门店", "Timezone": "时区",
 "WeChat Pay URL": "微信支付地址", "Online wait": "在线等待",
 "Offline: max one coupon": "离线：单券上限", "Offline: max per hour": "离线：每小时上限",
 "Offline: max exposure": "离线：风险上限", "Offline: max cache age": "离线：缓存最长时间",
 "Offline: default policy": "离线：默认策略", "Code": "券码", "Kind": "类别",
 "Type": "类型", "Stock / card": "批次/卡券", "Name": "名称", "State": "状态",
 "Hand over the item, then confirm": "交付商品后确认", "Request no": "请求单号",
 "Offline decision": "离线决定", "no definition": "缺少批次信息",
 "not stackable": "不可与其他优惠同用", "coupon unavailable": "券不可用",
 "needs item price": "需要商品价格", "no benefit": "无可优惠金额",
 "Manager (void, Z)": "店长（作废、日结）", "code": "券码",
 "DEMO": "演示", "Redeeming: asking WeChat... %u.%u s": "核销中：正在询问微信…… %u.%u 秒", "%d coupons": "%d 张券", "[give item]": "[交付商品]", "Item price (yuan)": "商品价格（元）", "NOT CONFIRMED YET": "尚未确认", "Manager 9001, PIN 9999": "店长 9001，密码 9999",
 "valid NORMAL": "满减券", "valid DISCOUNT": "折扣券", "valid EXCHANGE": "换购券",
 "card CASH": "卡券 代金券", "used": "已使用", "below_minimum": "未达门槛",
 "payment code": "付款码", "garbage": "乱码",
 "card DISCOUNT": "卡券 折扣券", "card GIFT": "卡券 兑换券",
 "card GROUPON": "卡券 团购券", "card GENERAL_COUPON": "卡券 优惠券",
 "card consumed": "卡券 已核销", "not_yet_valid": "尚未生效",
 "outside_window": "不在可用时段", "stock_paused": "批次已暂停",
 "deactivated": "已失效", "unknown code": "未知券码",
 "Conflicts (used elsewhere)": "冲突（已在别处使用）", "Rejected": "拒绝",
 "coupon unknown": "券不存在", "not usable": "券不可用",
 "not usable now": "当前不可用", "deleted or gifting": "已删除或转赠中",
 "invalid code": "券码无效", "card invalid": "卡券无效",
 "user unknown": "用户不存在", "bad request": "请求有误",
 "sign error": "签名错误", "config error": "配置错误",
 "quota exceeded": "超出调用配额", "quota": "超出调用配额",
 "rate limited": "请求过于频繁", "wechat busy": "微信繁忙，请稍后",
 "token invalid": "令牌无效", "card id missing": "缺少卡券 ID",
 "Sale %s is voided already: nothing to void": "交易 %s 已作废，无需再作废",
 "to be confirmed by WeChat": "待微信确认",
 "offline loss": "离线损失",
 "deciding": "核销中",
 "to pay": "待收款",
 "completed": "已完成",
 "voided": "已作废",
 "Offline losses (refused by WeChat)": "离线损失（微信已拒绝）",
 "Offline loss (refused by WeChat)": "离线损失（微信已拒绝）",
 "wrong item": "商品有误",
 "customer changed mind": "顾客改变主意",
 "offline risk accepted": "接受离线风险",
 "end of day": "日结",
}

# the cashier's truth (issue 16): banners from the lines, input, keys
TR.update({
 ", ": "，", "%d confirmed": "%d 张已核销",
 "%d accepted offline": "%d 张离线受理", "%d refused": "%d 张被拒",
 "%d returned": "%d 张已退券", "%d waiting for WeChat": "%d 张待微信确认",
 "collect %s": "应收 %s",
 "Payment code": "付款码", "Already scanned": "已扫描",
 "it is line %d of this sale": "已在本单第 %d 行",
 "Enter right after a scan does not redeem: press Enter again to redeem":
  "扫码后立即回车不核销：再按回车核销",
 "Esc keeps the basket; F2 twice clears it": "Esc 保留本单；按两次 F2 清空",
 "Clear the basket (%d coupons)? F2 again clears it, any other key keeps it":
  "清空本单（%d 张券）？再按 F2 清空，按其他键保留",
 "Esc again cancels and clears your coupons": "再按 Esc 取消并清空您的券",
 "Scan another coupon, or press + (or Enter) to finish":
  "继续扫券，或按 +（或回车）完成",
 "Scan or type a coupon code (Enter on empty: redeem)":
  "扫描或输入券码（不输入直接回车：核销）",
 " + or Enter = finish: redeem my coupons    Esc = back":
  " + 或回车 = 完成：核销我的券    Esc = 返回",
 "Coupon value %s, offline limit %s": "券面额 %s，离线上限 %s",
 "Sale amount %s, due %s": "交易金额 %s，应付 %s", "Reason:": "原因：",
 "1  wrong item": "1  商品有误", "2  customer changed mind": "2  顾客改变主意",
 "3  offline risk accepted": "3  接受离线风险", "4  end of day": "4  日结",
 "or type the reason in words": "或直接输入原因文字",
 "rows %d-%d of %d: Up/Down, PgUp/PgDn for more":
  "第 %d-%d 行，共 %d 行：上下键、PgUp/PgDn 翻看",
 "Time": "时间", "Due": "应付", "Cashier": "收银员", "Coupon": "优惠券",
 "Enter the amount on your receipt (staff can help), then scan your coupon":
  "请输入小票上的金额（店员可协助），然后扫描优惠券",
 "Back to the start in %d s: press any key to stay":
  "%d 秒后回到开始：按任意键继续",
 "Please call a member of staff": "请联系店员",
 "Staff only: manager id and PIN": "仅限店员：输入店长工号和密码",
 "Too many wrong PINs: PIN entry is locked for %s s more":
  "密码错误次数过多：密码输入锁定，还需 %s 秒",
})
EXTRA += ["Coupon"]   # the sale detail's label (core, session_lists.c)
# the printer's words from the session (core, session_print.c)
EXTRA += ["no receipt to print again", "cannot print this",
          "no printer configured"]

def esc(s):
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")

def read_po(path):
    """msgid -> msgstr of an existing catalogue, in its order."""
    out, cur, key = {}, None, None
    if not os.path.exists(path):
        return out
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("msgid "):
            cur, key = [line[6:]], "id"
        elif line.startswith("msgstr "):
            mid = "".join(eval(x) for x in cur)
            cur, key = [line[7:]], "str"
        elif line.startswith('"') and cur is not None:
            cur.append(line)
        elif line == "" and key == "str":
            if mid:
                out[mid] = "".join(eval(x) for x in cur)
            cur, key = None, None
    if key == "str" and mid:
        out[mid] = "".join(eval(x) for x in cur)
    return out

def main():
    pot = subprocess.run(["xgettext", "--from-code=UTF-8", "-k_", "-kN_",
        "-o", "-", "--omit-header", "--no-location"] +
        sorted(glob.glob("ui/*.c")), capture_output=True, text=True, env=dict(os.environ, LC_ALL="C.UTF-8"),
        check=True).stdout
    ids = []
    cur = None
    for line in pot.splitlines():
        if line.startswith("msgid "):
            cur = [line[6:]]
        elif line.startswith('"') and cur is not None:
            cur.append(line)
        elif line.startswith("msgstr"):
            s = "".join(eval(x) for x in cur)
            if s and s not in ids:
                ids.append(s)
            cur = None
    for e in EXTRA:
        if e not in ids:
            ids.append(e)
    old = read_po("ui/po/zh_CN.po")
    keep = [i for i in old if i in ids]
    ids = keep + [i for i in ids if i not in old]
    out = ['# Chinese (simplified) catalogue of the quan terminal.',
           '# Generated by ui/po/make-po.py; edit the table there.',
           'msgid ""', 'msgstr ""',
           '"Project-Id-Version: quan 0.1\\n"',
           '"PO-Revision-Date: 2026-11-30 15:30+0800\\n"',
           '"Last-Translator: quan ui <ui@quan>\\n"',
           '"Language-Team: zh_CN\\n"',
           '"Language: zh_CN\\n"', '"MIME-Version: 1.0\\n"',
           '"Content-Type: text/plain; charset=UTF-8\\n"',
           '"Content-Transfer-Encoding: 8bit\\n"',
           '"Plural-Forms: nplurals=1; plural=0;\\n"', '']
    missing = []
    for i in ids:
        t = TR.get(i, "") or old.get(i, "")
        if not t:
            missing.append(i)
        if "%" in i:
            out.append("#, c-format")
        out += ['msgid "%s"' % esc(i), 'msgstr "%s"' % esc(t), '']
    open("ui/po/zh_CN.po", "w").write("\n".join(out))
    for m in missing:
        print("untranslated:", m, file=sys.stderr)

main()
