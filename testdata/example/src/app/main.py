print("hello from ctxpack example")
