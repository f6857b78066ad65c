#!/usr/bin/env python3
"""Make bench/words.txt, the vocabulary of the synthetic corpus.

Run once by hand; the output is committed so the benchmark needs nothing
but a C compiler.  Needs Debian's python3-jieba (a Chinese word segmenter
that ships a word-frequency dictionary).

Words come from three places:
  - the seed FAQ text, cut into words by jieba (class "s": topic words);
  - a short list of public-service terms written here (class "s");
  - the most frequent general words of jieba's dictionary (class "c").
Only the words are kept, never the seed's sentences.

Output, one word a line: word TAB weight TAB class.
"""
import collections
import os
import re
import sys

import jieba

SEED = "/work/shared/seed"
TOTAL = 4000
HAN = re.compile(r"[\u4e00-\u9fff]+")
# Common nouns, verbs, adjectives, adverbs, conjunctions: no names of
# people, places or organisations.
POS = {"n", "v", "vn", "a", "ad", "an", "d", "c", "p", "vd"}

DOMAIN = """
社会保险 养老保险 医疗保险 失业保险 工伤保险 生育保险 住房公积金 公积金
户籍 户口 居住证 身份证 护照 港澳通行证 出入境 签证 驾驶证 行驶证
营业执照 个体工商户 企业登记 税务 个人所得税 发票 纳税人 退税 社保卡
医保卡 异地就医 门诊 住院 报销 定点医院 药店 处方 挂号 体检
劳动合同 劳动仲裁 工资 最低工资 加班费 经济补偿 失业登记 就业
创业补贴 职业技能 培训 技能等级 职称 评审 人才引进 积分入户 落户
学籍 入学 转学 义务教育 幼儿园 高考 中考 毕业证 学位证 留学
不动产 房产证 产权 过户 租赁 备案 物业 业主 维修基金 拆迁
婚姻登记 结婚证 离婚 出生证明 计划生育 独生子女 抚养 赡养 遗产
公证 律师 法律援助 诉讼 调解 投诉 举报 信访 热线 窗口
政务服务 一网通办 网上办理 线下办理 预约 排队 叫号 材料清单 申请表
审批 审核 受理 办结 时限 工作日 收费标准 免费 退费 缴纳
电子证照 二维码 小程序 公众号 客户端 实名认证 人脸识别 验证码
密码 账号 注册 绑定 解绑 修改 补办 换领 挂失 注销 延期 续期
老年人 残疾人 低保 特困 救助 补贴 津贴 抚恤 优待 退役军人
交通 地铁 公交 停车 违章 罚款 年检 车牌 摇号 新能源
"""


def main():
	out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
	    os.path.dirname(os.path.abspath(__file__)), "words.txt")
	jieba.setLogLevel(60)
	seed = collections.Counter()
	for name in sorted(os.listdir(SEED)):
		with open(os.path.join(SEED, name), encoding="utf-8") as f:
			for w in jieba.cut(f.read()):
				if HAN.fullmatch(w):
					seed[w] += 1
	words = {}
	for w, n in seed.items():
		words[w] = (n * 2000, "s")
	for w in DOMAIN.split():
		words.setdefault(w, (3000, "s"))
	dictfile = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
	common = []
	with open(dictfile, encoding="utf-8") as f:
		for line in f:
			w, freq, pos = line.split()
			if HAN.fullmatch(w) and 2 <= len(w) <= 4 and pos in POS:
				common.append((int(freq), w))
	common.sort(key=lambda x: (-x[0], x[1]))
	for freq, w in common:
		if len(words) >= TOTAL:
			break
		words.setdefault(w, (freq, "c"))
	with open(out, "w", encoding="utf-8") as f:
		for w in sorted(words, key=lambda w: (-words[w][0], w)):
			f.write("%s\t%d\t%s\n" % (w, words[w][0], words[w][1]))


if __name__ == "__main__":
	main()
