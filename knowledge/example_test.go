package knowledge_test

import (
	"fmt"
	"testing/fstest"

	"chatbot/knowledge"
)

func ExampleLoad() {
	fsys := fstest.MapFS{
		"articles/minimum-payment.md": {Data: []byte(`---
id: minimum-payment
title: 最低还款
questions: [最低还款是什么, 只还最低可以吗]
lead: 在到期还款日前至少还上最低还款额。
---
**按时还最低还款额**，就不算逾期。

1. 打开银行App
2. 选择「最低还款」
`)},
	}
	kb, err := knowledge.Load(fsys)
	if err != nil {
		fmt.Println(err)
		return
	}
	a, _ := kb.Article("minimum-payment")
	fmt.Println(a.Title)
	fmt.Println(a.Lead)
	fmt.Println(a.Body.Text)
	fmt.Println(kb.Warnings)
	// Output:
	// 最低还款
	// 在到期还款日前至少还上最低还款额。
	// 按时还最低还款额，就不算逾期。
	//
	// 1. 打开银行App
	// 2. 选择「最低还款」
	// articles/minimum-payment.md:4: warning: only 2 example questions; at least 12 are needed
}

func ExampleLoad_problems() {
	fsys := fstest.MapFS{
		"articles/x.md": {Data: []byte("---\nid: x\ntitle: 例子\nquestions: [a]\nrelated: [nowhere]\nlead: 先联系发卡行。\n---\n[点我](javascript:alert(1))\n")},
	}
	_, err := knowledge.Load(fsys)
	fmt.Println(err)
	// Output:
	// articles/x.md:4: warning: only 1 example questions; at least 12 are needed
	// articles/x.md:5: related id "nowhere" does not exist
	// articles/x.md:8: unsafe link "javascript:alert(1)": only https://, http:// and tel: links are allowed
}
