window.YTD.account.part0 = [
  {
    "account": {
      "email": "Ana@Example.org",
      "username": "AnaLima",
      "accountId": "100",
      "createdAt": "2020-01-01T00:00:00.000Z",
      "accountDisplayName": "Ana Lima"
    }
  }
]